package io.switchboard.core.sip;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** Tags and branch ids: globally unique and cryptographically random enough (RFC 3261 §19.3). */
public final class SipTags {

  private SipTags() {
  }

  public static String newTag() {
    byte[] b = new byte[8];
    ThreadLocalRandom.current().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** Mixed into {@link #statelessTag}, so that its tags cannot be predicted from the request alone. */
  private static final byte[] SALT = new byte[16];

  static {
    new java.security.SecureRandom().nextBytes(SALT);
  }

  private static final ThreadLocal<java.security.MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return java.security.MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  });

  /**
   * The To tag of a response sent without a transaction: derived from what identifies the request
   * (Call-ID, From tag, CSeq, top Via branch), so that a retransmission answered again gets the same
   * response, as a transaction would have re-sent it (Kamailio's {@code sl} does the same).
   */
  public static String statelessTag(String callId, String fromTag, long cseq, String branch) {
    java.security.MessageDigest sha = SHA256.get();
    sha.reset();
    sha.update(SALT);
    sha.update((callId + '\n' + fromTag + '\n' + cseq + '\n' + branch).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(sha.digest(), 0, 8);
  }

  /**
   * The local part of a new Call-ID: 32 hex digits from the thread's own random, as tags are. Unique is
   * what RFC 3261 §8.1.1.4 asks, not secret; {@code UUID.randomUUID} drew them from the JVM's one shared
   * {@code SecureRandom} (a lock every event loop contends for) for every MESSAGE to a device.
   */
  public static String newCallId() {
    return newTag() + newTag();
  }

  /** A branch with the RFC 3261 magic cookie. */
  public static String newBranch() {
    return "z9hG4bK" + newTag();
  }
}
