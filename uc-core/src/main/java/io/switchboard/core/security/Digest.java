package io.switchboard.core.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SIP digest arithmetic (RFC 2617 as used by RFC 3261 §22, RFC 8760 for SHA-256). Pure functions.
 * Algorithm names are the ones on the wire: {@code MD5}, {@code SHA-256}.
 */
public final class Digest {

  public static final String MD5 = "MD5";
  public static final String SHA_256 = "SHA-256";

  private Digest() {
  }

  public static String hex(String algorithm, String text) {
    return hex(algorithm, text.getBytes(StandardCharsets.UTF_8));
  }

  public static String hex(String algorithm, byte[] bytes) {
    MessageDigest md = MD5.equals(algorithm) ? MD5S.get() : SHA_256.equals(algorithm) ? SHA_256S.get()
        : newDigest(algorithm);
    return HexFormat.of().formatHex(md.digest(bytes)); // digest() leaves it reset for the next use
  }

  /**
   * One digest per thread and algorithm: every authenticated request hashes twice (HA2, then the response),
   * and {@code MessageDigest.getInstance} looks its provider up each time. A MessageDigest is not thread-safe.
   */
  private static final ThreadLocal<MessageDigest> MD5S = ThreadLocal.withInitial(() -> newDigest(MD5));
  private static final ThreadLocal<MessageDigest> SHA_256S = ThreadLocal.withInitial(() -> newDigest(SHA_256));

  private static MessageDigest newDigest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalArgumentException("unsupported digest algorithm " + algorithm, e);
    }
  }

  /** HA1 = H(username:realm:password): what is stored instead of the SIP password. */
  public static String ha1(String algorithm, String username, String realm, String password) {
    return hex(algorithm, username + ":" + realm + ":" + password);
  }

  /** HA1 for each algorithm, keyed by its wire name. */
  public static Map<String, String> ha1s(String username, String realm, String password) {
    Map<String, String> out = new HashMap<>();
    for (String alg : List.of(MD5, SHA_256)) {
      out.put(alg, ha1(alg, username, realm, password));
    }
    return out;
  }

  /**
   * The expected {@code response} value.
   *
   * @param qop null for the RFC 2069 form without qop, else "auth"
   */
  public static String response(String algorithm, String ha1, String nonce, String nc, String cnonce,
      String qop, String method, String uri) {
    return response(algorithm, ha1, nonce, nc, cnonce, qop, method, uri, null);
  }

  /**
   * The expected {@code response} value, with {@code qop=auth-int} too (RFC 7616 §3.4.3):
   * A2 = method:uri:H(entity-body).
   *
   * @param qop null for the RFC 2069 form without qop, "auth" or "auth-int"
   * @param body the message body, for auth-int; null is the empty body
   */
  public static String response(String algorithm, String ha1, String nonce, String nc, String cnonce,
      String qop, String method, String uri, byte[] body) {
    String a2 = method + ":" + uri;
    if ("auth-int".equalsIgnoreCase(qop)) {
      a2 += ":" + hex(algorithm, body == null ? new byte[0] : body);
    }
    String ha2 = hex(algorithm, a2);
    if (qop == null) {
      return hex(algorithm, ha1 + ":" + nonce + ":" + ha2);
    }
    return hex(algorithm, ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":" + qop + ":" + ha2);
  }

  /**
   * Compares an expected response with the one a client sent in constant time (no timing hint at
   * how many leading digits were right). Hex digits compare case-insensitively.
   */
  public static boolean sameResponse(String expected, String given) {
    if (given == null) {
      return false;
    }
    return MessageDigest.isEqual(expected.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII),
        given.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
  }
}
