package io.switchboard.core.store;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The server's side of SCRAM-SHA-256 (RFC 5802 with RFC 7677's hash) for one user, as MongoDB speaks it:
 * no channel binding, the password used as it is (the caller accepts only ASCII passwords, which SaslPrep
 * leaves unchanged). The salted password is derived once (PBKDF2, {@link #ITERATIONS} rounds); only its
 * StoredKey and ServerKey are kept, so each conversation costs a few HMACs.
 */
final class ScramSha256 {

  static final String MECHANISM = "SCRAM-SHA-256";
  /** MongoDB's default scramSHA256IterationCount; the driver refuses fewer than 4096. */
  static final int ITERATIONS = 15_000;
  private static final String GS2_NO_BINDING = "n,,";

  private final String user;
  private final byte[] salt;
  private final int iterations;
  private final byte[] storedKey;
  private final byte[] serverKey;
  private final Supplier<String> serverNonce;

  private ScramSha256(String user, byte[] salt, int iterations, byte[] storedKey, byte[] serverKey,
      Supplier<String> serverNonce) {
    this.user = user;
    this.salt = salt;
    this.iterations = iterations;
    this.storedKey = storedKey;
    this.serverKey = serverKey;
    this.serverNonce = serverNonce;
  }

  /** Derives the keys for {@code user} and {@code password} with a fresh salt: blocking (PBKDF2), off the event loop. */
  static ScramSha256 forPassword(String user, String password) {
    SecureRandom random = new SecureRandom();
    byte[] salt = new byte[28];
    random.nextBytes(salt);
    return forPassword(user, password, salt, ITERATIONS, () -> {
      byte[] nonce = new byte[24];
      random.nextBytes(nonce);
      return Base64.getEncoder().encodeToString(nonce);
    });
  }

  /** With a given salt, iteration count and server nonces (RFC 7677's example, in tests). */
  static ScramSha256 forPassword(String user, String password, byte[] salt, int iterations, Supplier<String> serverNonce) {
    try {
      PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
      byte[] salted = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
      spec.clearPassword();
      byte[] clientKey = hmac(salted, "Client Key");
      return new ScramSha256(user, salt.clone(), iterations, sha256(clientKey), hmac(salted, "Server Key"), serverNonce);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 unavailable", e);
    }
  }

  /** A conversation that failed: the message says why, for the log (never a secret). */
  static final class Failed extends Exception {
    Failed(String why) {
      super(why, null, false, false);
    }
  }

  /**
   * Starts a conversation from the client's first message ({@code n,,n=user,r=nonce}). An unknown user
   * still gets a server-first message and fails only at the proof, as MongoDB does: the answer does not
   * tell which users exist.
   */
  Conversation start(String clientFirst) throws Failed {
    if (!clientFirst.startsWith(GS2_NO_BINDING)) {
      // "y,," (client could bind) is as good as "n,,"; "p=" asks for channel binding, which MongoDB does not do.
      if (!clientFirst.startsWith("y,,")) {
        throw new Failed("channel binding or an authorisation id asked for");
      }
    }
    String gs2 = clientFirst.substring(0, 3);
    String bare = clientFirst.substring(3);
    String name = attribute(bare, 'n', 0);
    String clientNonce = attribute(bare, 'r', 1);
    if (name == null || clientNonce == null || clientNonce.isEmpty()) {
      throw new Failed("malformed client-first message");
    }
    String nonce = clientNonce + serverNonce.get();
    String serverFirst = "r=" + nonce + ",s=" + Base64.getEncoder().encodeToString(salt) + ",i=" + iterations;
    String claimed = name.replace("=2C", ",").replace("=3D", "=");
    return new Conversation(claimed, claimed.equals(user), gs2, bare, nonce, serverFirst);
  }

  /** One client's exchange: the server-first message sent, the client's final message to check. */
  final class Conversation {
    private final String user;
    private final boolean knownUser;
    private final String gs2;
    private final String clientFirstBare;
    private final String nonce;
    private final String serverFirst;

    private Conversation(String user, boolean knownUser, String gs2, String clientFirstBare, String nonce,
        String serverFirst) {
      this.user = user;
      this.knownUser = knownUser;
      this.gs2 = gs2;
      this.clientFirstBare = clientFirstBare;
      this.nonce = nonce;
      this.serverFirst = serverFirst;
    }

    /** The user the client named (for the security log). */
    String user() {
      return user;
    }

    String serverFirst() {
      return serverFirst;
    }

    /**
     * Checks the client's final message ({@code c=biws,r=nonce,p=proof}); returns the server-final
     * message ({@code v=signature}) that proves the server knew the password too.
     */
    String finish(String clientFinal) throws Failed {
      int p = clientFinal.lastIndexOf(",p=");
      if (p < 0) {
        throw new Failed("malformed client-final message");
      }
      String withoutProof = clientFinal.substring(0, p);
      String binding = attribute(withoutProof, 'c', 0);
      String echoed = attribute(withoutProof, 'r', 1);
      byte[] proof;
      try {
        proof = Base64.getDecoder().decode(clientFinal.substring(p + 3));
      } catch (IllegalArgumentException e) {
        throw new Failed("malformed proof");
      }
      if (binding == null || !binding.equals(Base64.getEncoder().encodeToString(gs2.getBytes(StandardCharsets.US_ASCII)))) {
        throw new Failed("channel binding does not match");
      }
      if (!nonce.equals(echoed)) {
        throw new Failed("nonce does not match");
      }
      String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
      byte[] clientSignature = hmac(storedKey, authMessage);
      if (proof.length != clientSignature.length) {
        throw new Failed("wrong proof length");
      }
      byte[] clientKey = new byte[proof.length];
      for (int i = 0; i < proof.length; i++) {
        clientKey[i] = (byte) (proof[i] ^ clientSignature[i]);
      }
      // Constant time, and an unknown user fails here like a wrong password.
      if (!MessageDigest.isEqual(sha256(clientKey), storedKey) || !knownUser) {
        throw new Failed(knownUser ? "wrong password" : "unknown user");
      }
      return "v=" + Base64.getEncoder().encodeToString(hmac(serverKey, authMessage));
    }
  }

  /** The value of {@code key=} when it is attribute number {@code index} of a comma-separated message. */
  private static String attribute(String message, char key, int index) {
    String[] parts = message.split(",", -1);
    if (parts.length <= index || parts[index].length() < 2 || parts[index].charAt(0) != key
        || parts[index].charAt(1) != '=') {
      return null;
    }
    return parts[index].substring(2);
  }

  private static byte[] hmac(byte[] key, String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
