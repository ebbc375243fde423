package io.switchboard.core.tls;

import io.switchboard.core.config.ConfigException;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * One certificate chain and its private key, read from PEM files (the key in PKCS#8, PKCS#1 or EC
 * SEC1 form: Vert.x's {@link PemKeyCertOptions} parses all three) and checked to belong together.
 * Reading touches the file system: call it off the event loops.
 *
 * @param keyManager the chain and key as the JDK's TLS engines take them
 * @param pem the same, for Vert.x servers that want PEM options
 */
public record TlsMaterial(X509ExtendedKeyManager keyManager, List<X509Certificate> chain, PemKeyCertOptions pem) {

  public static final String CERT_KEY = "tls.cert";
  public static final String KEY_KEY = "tls.key";

  /** The certificate presented: the first of the chain. */
  public X509Certificate leaf() {
    return chain.get(0);
  }

  public String subject() {
    return leaf().getSubjectX500Principal().getName();
  }

  public BigInteger serial() {
    return leaf().getSerialNumber();
  }

  public Instant notAfter() {
    return leaf().getNotAfter().toInstant();
  }

  /** For logs: subject, serial and expiry, never key material. */
  public String describe() {
    return "subject: " + subject() + ", serial: " + serial().toString(16) + ", expires: " + notAfter();
  }

  /**
   * Reads and checks both files.
   *
   * @throws ConfigException naming {@code tls.cert} or {@code tls.key} and the file when either is
   *     unreadable, not PEM, or the key is not the certificate's
   */
  public static TlsMaterial read(Vertx vertx, Path certFile, Path keyFile) {
    Buffer certPem = readFile(CERT_KEY, certFile);
    Buffer keyPem = readFile(KEY_KEY, keyFile);
    List<X509Certificate> chain = certificates(certFile, certPem);
    PemKeyCertOptions pem = new PemKeyCertOptions().setCertValue(certPem).setKeyValue(keyPem);
    X509ExtendedKeyManager keyManager;
    try {
      keyManager = extended(pem.getKeyManagerFactory(vertx).getKeyManagers());
    } catch (Exception e) {
      throw new ConfigException(KEY_KEY, "'" + keyFile + "' holds no usable PEM private key (PKCS#8, PKCS#1 or EC): "
          + e.getMessage());
    }
    PublicKey publicKey = chain.get(0).getPublicKey();
    String[] aliases = keyManager.getServerAliases(publicKey.getAlgorithm(), null);
    PrivateKey privateKey = aliases == null || aliases.length == 0 ? null : keyManager.getPrivateKey(aliases[0]);
    if (privateKey == null || !belongTogether(privateKey, publicKey)) {
      throw new ConfigException(KEY_KEY, "'" + keyFile + "' is not the private key of the certificate in '" + certFile + "'");
    }
    return new TlsMaterial(keyManager, List.copyOf(chain), pem);
  }

  private static Buffer readFile(String key, Path file) {
    try {
      return Buffer.buffer(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new ConfigException(key, "cannot read '" + file + "': " + e.getMessage());
    }
  }

  private static List<X509Certificate> certificates(Path file, Buffer pem) {
    try {
      List<X509Certificate> chain = CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem.getBytes())).stream()
          .map(X509Certificate.class::cast).toList();
      if (chain.isEmpty()) {
        throw new CertificateException("no certificate in it");
      }
      return chain;
    } catch (CertificateException | RuntimeException e) {
      throw new ConfigException(CERT_KEY, "'" + file + "' holds no PEM certificate: " + e.getMessage());
    }
  }

  private static X509ExtendedKeyManager extended(KeyManager[] managers) {
    for (KeyManager m : managers) {
      if (m instanceof X509ExtendedKeyManager x) {
        return x;
      }
    }
    throw new IllegalStateException("no X.509 key manager");
  }

  /** Signs a probe with the key and verifies it with the certificate's public key. */
  private static boolean belongTogether(PrivateKey key, PublicKey publicKey) {
    String algorithm = switch (publicKey.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "DSA" -> "SHA256withDSA";
      default -> publicKey.getAlgorithm(); // Ed25519, Ed448, EdDSA sign by their own name
    };
    byte[] probe = "switchboard".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
