package io.switchboard.core.tls;

import io.switchboard.core.config.ConfigException;
import io.switchboard.core.config.SwitchboardConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.security.GeneralSecurityException;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;

/**
 * The server's certificate for every TLS listener (SIP, web console, provisioning), read once at
 * start and re-read on {@link #reload()}, which swaps it under running listeners: they share one
 * {@link ReloadingKeyManager}, so new handshakes present the new certificate and open connections
 * carry on. {@link CertificateWatcher} decides when to reload and announces it.
 */
public final class TlsCredentials {

  private final Vertx vertx;
  private final SwitchboardConfig.Tls config;
  private final ReloadingKeyManager keyManager;
  private volatile TlsMaterial current;

  private TlsCredentials(Vertx vertx, SwitchboardConfig.Tls config, TlsMaterial first) {
    this.vertx = vertx;
    this.config = config;
    this.current = first;
    this.keyManager = new ReloadingKeyManager(first.keyManager());
  }

  /**
   * Reads both files (off the event loop). Fails with a {@link ConfigException} naming
   * {@code tls.cert} or {@code tls.key} when they do not make a certificate and its key.
   */
  public static Future<TlsCredentials> load(Vertx vertx, SwitchboardConfig.Tls config) {
    if (!config.enabled()) {
      return Future.failedFuture(new IllegalArgumentException("TLS is not configured"));
    }
    return vertx.executeBlocking(() -> new TlsCredentials(vertx, config,
        TlsMaterial.read(vertx, config.cert().orElseThrow(), config.key().orElseThrow())), false);
  }

  public SwitchboardConfig.Tls config() {
    return config;
  }

  /** The certificate presented now. */
  public TlsMaterial current() {
    return current;
  }

  /** For JDK sockets and engines: always the current certificate. */
  public ReloadingKeyManager keyManager() {
    return keyManager;
  }

  /**
   * For Vert.x servers ({@code HttpServerOptions#setKeyCertOptions}): wraps {@link #keyManager()},
   * so a server given it follows reloads without being told.
   */
  public KeyCertOptions keyCertOptions() {
    return KeyCertOptions.wrap(keyManager);
  }

  /** The current files' contents as PEM options, for a server that is updated on {@code TLS_RELOADED}. */
  public PemKeyCertOptions pemKeyCertOptions() {
    return current.pem().copy();
  }

  /** A server-side TLS context presenting the current certificate (the JDK's default trust). */
  public SSLContext serverContext() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new KeyManager[] {keyManager}, null, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no TLS in this JDK", e);
    }
  }

  /**
   * Re-reads both files. When they make a certificate and its key, it becomes the one presented;
   * otherwise the old one stays and the future fails with a {@link ConfigException} naming the file.
   */
  public Future<TlsMaterial> reload() {
    return vertx.executeBlocking(() -> {
      TlsMaterial next = TlsMaterial.read(vertx, config.cert().orElseThrow(), config.key().orElseThrow());
      synchronized (this) {
        keyManager.swap(next.keyManager());
        current = next;
      }
      return next;
    }, false);
  }
}
