package io.switchboard.core.tls;

import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * What our TLS listeners accept: TLS 1.2 and 1.3 only, forward-secret AEAD suites first, then
 * ECDHE with CBC and SHA-2 for older phones; no RC4, 3DES, static RSA or SHA-1 MACs (RFC 3261
 * §26.3.1's TLS_RSA_WITH_AES_128_CBC_SHA among them: phones of this decade all have ECDHE-GCM).
 */
public final class TlsPolicy {

  public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  private static final List<String> PREFERRED_SUITES = List.of(
      "TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
      "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
      "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256");

  private TlsPolicy() {
  }

  /** Our preferred suites that this JDK supports, in our order. */
  public static List<String> cipherSuites(SSLContext context) {
    Set<String> supported = Set.of(context.getSupportedSSLParameters().getCipherSuites());
    return PREFERRED_SUITES.stream().filter(supported::contains).toList();
  }
}
