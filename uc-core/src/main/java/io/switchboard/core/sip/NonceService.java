package io.switchboard.core.sip;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stateless digest nonces: issue time, random bytes and an HMAC over both, so any node holding the
 * key can check a nonce without shared state. After a restart (new key) old nonces read as unknown,
 * which the authenticator answers with a fresh challenge ({@code stale=true} when the credentials
 * were otherwise right). Thread-safe: challenges are issued on the SIP stack's threads, before any
 * transaction exists.
 */
public final class NonceService {

  /** What a nonce turned out to be. */
  public enum Verdict { VALID, STALE, UNKNOWN }

  private static final int RANDOM_BYTES = 8;
  private static final int MAC_BYTES = 16;

  private final Clock clock;
  private final long lifetimeMillis;
  private final SecretKeySpec key;
  private final SecureRandom random = new SecureRandom();
  /** A Mac is not thread-safe, and nonces are issued and checked on the SIP stack's threads and the event loops at once. */
  private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

  public NonceService(Clock clock, int lifetimeSeconds) {
    this.clock = clock;
    this.lifetimeMillis = lifetimeSeconds * 1000L;
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    this.key = new SecretKeySpec(secret, "HmacSHA256");
  }

  public String issue() {
    ByteBuffer body = ByteBuffer.allocate(Long.BYTES + RANDOM_BYTES);
    body.putLong(clock.millis());
    byte[] r = new byte[RANDOM_BYTES];
    random.nextBytes(r);
    body.put(r);
    byte[] b = body.array();
    ByteBuffer all = ByteBuffer.allocate(b.length + MAC_BYTES).put(b).put(mac(b));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(all.array());
  }

  public Verdict check(String nonce) {
    byte[] all;
    try {
      all = Base64.getUrlDecoder().decode(nonce);
    } catch (IllegalArgumentException e) {
      return Verdict.UNKNOWN;
    }
    int bodyLength = Long.BYTES + RANDOM_BYTES;
    if (all.length != bodyLength + MAC_BYTES) {
      return Verdict.UNKNOWN;
    }
    byte[] body = Arrays.copyOf(all, bodyLength);
    byte[] mac = Arrays.copyOfRange(all, bodyLength, all.length);
    if (!MessageDigest.isEqual(mac, mac(body))) {
      return Verdict.UNKNOWN;
    }
    long issued = ByteBuffer.wrap(body).getLong();
    long age = clock.millis() - issued;
    return age >= 0 && age <= lifetimeMillis ? Verdict.VALID : Verdict.STALE;
  }

  /** When a nonce that {@link #check} found valid or stale was issued, millis since the epoch. */
  public long issuedAt(String nonce) {
    return ByteBuffer.wrap(Base64.getUrlDecoder().decode(nonce)).getLong();
  }

  private byte[] mac(byte[] body) {
    return Arrays.copyOf(macs.get().doFinal(body), MAC_BYTES);
  }

  private Mac newMac() {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(key);
      return m;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
