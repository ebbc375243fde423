package io.switchboard.core.http;

import io.switchboard.api.EventAddresses;
import io.switchboard.core.config.SwitchboardConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS for Switchboard's HTTP listeners (the web console and API, the provisioning port), from the
 * configured PEM files ({@code tls.cert}, {@code tls.key}): TLS 1.2 and 1.3 only, forward-secret
 * AEAD cipher suites only (Mozilla's "intermediate" list). Without TLS configured, plain HTTP.
 *
 * <p>The files are read again, for new connections, whenever {@link EventAddresses#TLS_RELOADED}
 * is published ({@link #followReloads}); connections already open keep their certificate.
 */
public final class HttpsListener {

  private static final Logger LOG = LoggerFactory.getLogger(HttpsListener.class);

  /** TLS 1.0 and 1.1 are refused (RFC 8996). */
  public static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

  /** TLS 1.3's suites, then TLS 1.2 with ECDHE and AEAD, for ECDSA and RSA certificates (JSSE names). */
  public static final List<String> CIPHER_SUITES = List.of(
      "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  private final SwitchboardConfig.Tls tls;

  public HttpsListener(SwitchboardConfig.Tls tls) {
    this.tls = tls;
  }

  public boolean enabled() {
    return tls.enabled();
  }

  /** {@code https} with TLS configured, else {@code http}. */
  public String scheme() {
    return enabled() ? "https" : "http";
  }

  /** How a listener names itself in health and logs, e.g. {@code https://0.0.0.0:8080}. */
  public String url(String host, int port) {
    return scheme() + "://" + host + ":" + port;
  }

  /** Server options: TLS from the PEM files (read when the server starts), or plain HTTP. */
  public HttpServerOptions serverOptions() {
    HttpServerOptions options = new HttpServerOptions();
    if (!enabled()) {
      return options;
    }
    options.setSsl(true).setKeyCertOptions(keyCert()).setEnabledSecureTransportProtocols(PROTOCOLS);
    CIPHER_SUITES.forEach(options::addEnabledCipherSuite);
    return options;
  }

  /** Fresh SSL options, for {@link HttpServer#updateSSLOptions}: the files are read again. */
  public ServerSSLOptions sslOptions() {
    ServerSSLOptions options = new ServerSSLOptions().setKeyCertOptions(keyCert())
        .setEnabledSecureTransportProtocols(PROTOCOLS);
    CIPHER_SUITES.forEach(options::addEnabledCipherSuite);
    return options;
  }

  private PemKeyCertOptions keyCert() {
    return new PemKeyCertOptions().setCertPath(tls.cert().orElseThrow().toString())
        .setKeyPath(tls.key().orElseThrow().toString());
  }

  /**
   * On every {@link EventAddresses#TLS_RELOADED}, gives {@code server} the certificate as the files
   * now hold it (forced: the options are equal, the files are not). A failure keeps the old one.
   * Call on the server's context; without TLS, listens to nothing.
   *
   * @param name the listener, for the log ("web", "provisioning")
   */
  public Future<Void> followReloads(Vertx vertx, HttpServer server, String name) {
    if (!enabled()) {
      return Future.succeededFuture();
    }
    MessageConsumer<Object> consumer = vertx.eventBus().consumer(EventAddresses.TLS_RELOADED,
        m -> server.updateSSLOptions(sslOptions(), true).onComplete(r -> {
          if (r.succeeded()) {
            LOG.info("Certificate reloaded [listener: {}, cert: {}]", name, tls.cert().orElseThrow());
          } else {
            LOG.warn("Certificate reload failed, keeping the previous one [listener: {}, cert: {}]: {}", name,
                tls.cert().orElseThrow(), r.cause().getMessage());
          }
        }));
    return consumer.completion();
  }
}
