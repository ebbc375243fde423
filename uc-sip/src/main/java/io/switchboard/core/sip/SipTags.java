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

  /** The key of {@link #statelessTag}'s hash, so that its tags cannot be predicted from the request alone. */
  private static final long K0;
  private static final long K1;

  static {
    java.security.SecureRandom random = new java.security.SecureRandom();
    K0 = random.nextLong();
    K1 = random.nextLong();
  }

  /**
   * The To tag of a response sent without a transaction: derived from what identifies the request
   * (Call-ID, From tag, CSeq, top Via branch), so that a retransmission answered again gets the same
   * response, as a transaction would have re-sent it (Kamailio's {@code sl} does the same). A keyed
   * SipHash-2-4 of them (64 bits, as many as {@link #newTag} draws): unpredictable without the key,
   * and a fraction of a SHA-256's cost on every stateless answer (two per B or C call).
   */
  public static String statelessTag(String callId, String fromTag, long cseq, String branch) {
    byte[] request = (callId + '\n' + fromTag + '\n' + cseq + '\n' + branch).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return HexFormat.of().toHexDigits(sipHash24(K0, K1, request));
  }

  private static final java.lang.invoke.VarHandle LITTLE_ENDIAN_LONG =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

  /** SipHash-2-4 (Aumasson and Bernstein, 2012) of {@code m} under the key (k0, k1), as its reference code computes it. */
  static long sipHash24(long k0, long k1, byte[] m) {
    long v0 = 0x736f6d6570736575L ^ k0;
    long v1 = 0x646f72616e646f6dL ^ k1;
    long v2 = 0x6c7967656e657261L ^ k0;
    long v3 = 0x7465646279746573L ^ k1;
    int whole = m.length - m.length % 8;
    for (int i = 0; i <= whole; i += 8) {
      long word;
      if (i < whole) {
        word = (long) LITTLE_ENDIAN_LONG.get(m, i);
      } else {
        word = (long) m.length << 56; // the last word: the remaining bytes and the length
        for (int j = i; j < m.length; j++) {
          word |= (m[j] & 0xffL) << (8 * (j - i));
        }
      }
      v3 ^= word;
      for (int round = 0; round < 2; round++) {
        v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
        v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
        v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
        v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
      }
      v0 ^= word;
    }
    v2 ^= 0xff;
    for (int round = 0; round < 4; round++) {
      v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
      v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
      v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
      v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
    }
    return v0 ^ v1 ^ v2 ^ v3;
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
