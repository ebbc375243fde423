package io.switchboard.provisioning;

import io.switchboard.api.EventAddresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certificate phones are told to trust for SIP over TLS and HTTPS: the PEM text of
 * {@code tls.cert} (a self-signed certificate, or a chain ending in the operator's root), kept in
 * memory for the phone files and {@link ProvisioningUrls#CERTIFICATE_FILE}, read again on
 * {@link EventAddresses#TLS_RELOADED}. Empty without TLS. Certificates are public: no secret here.
 */
final class TrustedCertificate {

  private static final Logger LOG = LoggerFactory.getLogger(TrustedCertificate.class);

  private final Optional<Path> file;
  private volatile String pem = "";
  private MessageConsumer<Object> reloads;

  TrustedCertificate(Optional<Path> file) {
    this.file = file;
  }

  /** Reads the file (on a worker) and follows reloads; call on the provisioning context. */
  Future<Void> start(Vertx vertx) {
    if (file.isEmpty()) {
      return Future.succeededFuture();
    }
    reloads = vertx.eventBus().consumer(EventAddresses.TLS_RELOADED, m -> read(vertx).onFailure(e -> LOG.warn(
        "Certificate for phones not re-read, keeping the previous one [file: {}]: {}", file.get(), e.getMessage())));
    return read(vertx);
  }

  private Future<Void> read(Vertx vertx) {
    return vertx.executeBlocking(() -> Files.readString(file.get(), StandardCharsets.US_ASCII).strip() + "\n")
        .onSuccess(text -> pem = text)
        .mapEmpty();
  }

  Future<Void> stop() {
    return reloads == null ? Future.succeededFuture() : reloads.unregister();
  }

  /** The PEM text, or "" without TLS. */
  String pem() {
    return pem;
  }
}
