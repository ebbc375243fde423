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

  /**
   * The issue time of {@link #issue(String)} nonces is kept in steps of this many milliseconds, so
   * that a challenge sent again within one step is the same (their lifetime is up to one step longer).
   * Short, because {@link NonceCounts} can tell nonces apart by their step only: once its cap forgets a
   * nonce of the current step, every later one of that step is refused as forgotten. With 30 s that
   * happened above 3,400 challenges a second (100,000 tracked); with 5 s, above 20,000. A retransmission
   * (Timer E, from 500 ms on) that crosses a step gets a second challenge with another nonce: a phone
   * answers the latest one.
   */
  static final long ISSUE_STEP_MILLIS = 5_000;

  public String issue() {
    byte[] r = new byte[RANDOM_BYTES];
    random.nextBytes(r);
    return nonce(clock.millis(), r);
  }

  /**
   * A nonce for one exchange (what identifies the request challenged): the same exchange challenged
   * again within {@link #ISSUE_STEP_MILLIS} gets the same nonce, so that a challenge sent without a
   * transaction to a retransmitted request is the same response again, which the client recognises
   * as a retransmission (SIPp fails a call on a second 401 that differs from the first). Different
   * exchanges get different nonces; without our key the nonce cannot be predicted.
   */
  public String issue(String exchange) {
    long issued = clock.millis() / ISSUE_STEP_MILLIS * ISSUE_STEP_MILLIS;
    byte[] seed = (issued + "\n" + exchange).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] derived = new byte[seed.length + 1];
    derived[0] = 'x'; // kept apart from the MACs over nonce bodies
    System.arraycopy(seed, 0, derived, 1, seed.length);
    return nonce(issued, Arrays.copyOf(macs.get().doFinal(derived), RANDOM_BYTES));
  }

  private String nonce(long issued, byte[] unique) {
    ByteBuffer body = ByteBuffer.allocate(Long.BYTES + RANDOM_BYTES);
    body.putLong(issued);
    body.put(unique);
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
