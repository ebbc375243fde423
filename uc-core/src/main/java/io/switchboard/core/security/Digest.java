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
    try {
      MessageDigest md = MessageDigest.getInstance(algorithm);
      return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
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
    String ha2 = hex(algorithm, method + ":" + uri);
    if (qop == null) {
      return hex(algorithm, ha1 + ":" + nonce + ":" + ha2);
    }
    return hex(algorithm, ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":" + qop + ":" + ha2);
  }
}
