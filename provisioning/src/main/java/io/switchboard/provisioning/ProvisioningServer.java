package io.switchboard.provisioning;

import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.ha.SharedFailures;
import io.switchboard.core.health.Health;
import io.switchboard.core.http.HttpsListener;
import io.switchboard.core.model.Device;
import io.switchboard.core.store.DeviceStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server desk phones fetch their files from, on a port of its own:
 * {@code GET /provision/<token>/<file>} (token authentication) or {@code GET /provision/<file>}
 * with HTTP digest (digest authentication). Answers, in this order of checks:
 *
 * <table>
 *   <tr><th>status</th><th>when</th></tr>
 *   <tr><td>429</td><td>the client address failed {@code probe.max-failures} times within {@code probe.window}</td></tr>
 *   <tr><td>404</td><td>a file name no phone asks for; a MAC no device has (logged at WARN with the client's address and User-Agent)</td></tr>
 *   <tr><td>401</td><td>a known MAC without credentials, or with wrong ones</td></tr>
 *   <tr><td>200</td><td>the file: common files (no secrets) to anyone, the phone's own only to its device</td></tr>
 * </table>
 * Every 404 and 401 counts as a failure of the client address.
 *
 * <p>With TLS configured the port speaks HTTPS only, with the web console's certificate (re-read on
 * {@code TLS_RELOADED}), and serves that certificate to anyone as
 * {@code /provision/}{@value ProvisioningUrls#CERTIFICATE_FILE} for the phones to trust.
 */
public final class ProvisioningServer extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(ProvisioningServer.class);

  private final SwitchboardConfig.Provisioning config;
  private final Health health;
  private final DeviceStore devices;
  private final PhoneFiles files;
  private final ProbeThrottle throttle;
  private SharedFailures probeFailures;
  private final HttpDigest digest;
  private final HttpsListener https;
  private HttpServer server;

  ProvisioningServer(SwitchboardConfig.Provisioning config, SwitchboardConfig.Tls tls, Health health,
      DeviceStore devices, PhoneFiles files, Clock clock) {
    this.config = config;
    this.https = new HttpsListener(tls);
    this.health = health;
    this.devices = devices;
    this.files = files;
    this.throttle = new ProbeThrottle(clock, config.probeMaxFailures(), config.probeWindowSeconds());
    this.digest = config.auth().equals("digest") ? new HttpDigest(clock) : null;
  }

  public int actualPort() {
    return server.actualPort();
  }

  /** Where phones fetch from, with the scheme: {@code https://0.0.0.0:8081}. */
  public String url() {
    return https.url(config.bindAddress(), actualPort());
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    if (https.enabled()) {
      router.get(ProvisioningUrls.PREFIX + ProvisioningUrls.CERTIFICATE_FILE).handler(ctx -> ctx.response()
          .putHeader("Content-Type", "application/x-pem-file").putHeader("Cache-Control", "no-store")
          .end(files.certificate()));
    }
    router.get(ProvisioningUrls.PREFIX + "*").handler(this::fetch);
    router.route().handler(ctx -> ctx.response().setStatusCode(404).end());
    vertx.setPeriodic(60_000, id -> throttle.sweep());
    // Failed fetches count on every node of a cluster: the others' are added to this one's.
    probeFailures = new SharedFailures(vertx, "probe");
    return probeFailures.start(keys -> throttle.failed(keys.getString("address")))
        .compose(v -> vertx.createHttpServer(https.serverOptions()).requestHandler(router).listen(config.port(), config.bindAddress()))
        .compose(s -> https.followReloads(vertx, s, "provisioning").map(s))
        .onSuccess(s -> {
          server = s;
          health.report("provisioning", Health.State.UP, new JsonObject().put("url", url()).put("auth", config.auth()));
          LOG.info("Phone provisioning listening [url: {}, auth: {}]", url(), config.auth());
        });
  }

  private void fetch(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    String from = req.remoteAddress() == null ? "?" : req.remoteAddress().hostAddress();
    long wait = throttle.retryAfterSeconds(from);
    if (wait > 0) {
      LOG.debug("Provisioning refused, too many failures [from: {}, retry after: {} s]", from, wait);
      ctx.response().setStatusCode(429).putHeader("Retry-After", String.valueOf(wait)).end();
      return;
    }
    String[] parts = req.path().substring(ProvisioningUrls.PREFIX.length()).split("/", -1);
    String file = parts[parts.length - 1];
    Optional<String> token = digest == null && parts.length == 2 ? Optional.of(parts[0]) : Optional.empty();
    if (parts.length > 2 || (digest != null && parts.length != 1) || file.isEmpty()) {
      fail(ctx, 404, from);
      return;
    }
    Future<Optional<Device>> authenticated = token.isPresent() ? devices.findByToken(token.get())
        : digest != null && req.getHeader("Authorization") != null
            ? digest.authenticate(req, devices)
            : Future.succeededFuture(Optional.empty());
    authenticated.onComplete(r -> {
      if (r.failed()) {
        LOG.warn("Provisioning failed: store unavailable [file: {}, from: {}]", file, from);
        ctx.response().setStatusCode(503).end();
      } else if (r.result().isPresent()) {
        serve(ctx, r.result().get(), file, from);
      } else {
        anonymous(ctx, file, from, token.isPresent() || req.getHeader("Authorization") != null);
      }
    });
  }

  /** Without (valid) credentials: common files are served, unknown MACs get 404, known ones 401. */
  private void anonymous(RoutingContext ctx, String file, String from, boolean triedCredentials) {
    Optional<Vendor.FileRequest> common = commonFile(file);
    if (common.isPresent() && !triedCredentials) {
      respond(ctx, common.get(), null, file, from);
      return;
    }
    Optional<String> mac = Vendor.macIn(file);
    if (mac.isEmpty()) {
      fail(ctx, triedCredentials ? 401 : 404, from);
      return;
    }
    devices.findByMac(mac.get()).onComplete(r -> {
      if (r.failed()) {
        ctx.response().setStatusCode(503).end();
      } else if (r.result().isEmpty()) {
        unknownMac(ctx, mac.get(), file, from);
      } else {
        LOG.info("Provisioning refused: {} [mac: {}, file: {}, from: {}]",
            triedCredentials ? "wrong credentials" : "no credentials", mac.get(), file, from);
        fail(ctx, 401, from);
      }
    });
  }

  private static Optional<Vendor.FileRequest> commonFile(String file) {
    for (Vendor v : Vendor.values()) {
      Optional<Vendor.FileRequest> r = v.resolve(file);
      if (r.isPresent() && r.get().mac() == null) {
        return r;
      }
    }
    return Optional.empty();
  }

  private void serve(RoutingContext ctx, Device device, String file, String from) {
    Optional<Vendor.FileRequest> request = Vendor.fromWire(device.vendor()).flatMap(v -> v.resolve(file));
    if (request.isEmpty()) {
      LOG.info("Provisioning: no such file for this phone [device: {}, vendor: {}, file: {}, from: {}]", device.id(),
          device.vendor(), file, from);
      fail(ctx, 404, from);
    } else if (request.get().mac() != null && !request.get().mac().equals(device.mac())) {
      unknownMac(ctx, request.get().mac(), file, from);
    } else {
      respond(ctx, request.get(), device, file, from);
    }
  }

  private void respond(RoutingContext ctx, Vendor.FileRequest request, Device device, String file, String from) {
    files.render(device, request).onComplete(r -> {
      if (r.failed()) {
        LOG.warn("Provisioning failed [file: {}, from: {}, reason: {}]", file, from, r.cause().getMessage());
        ctx.response().setStatusCode(503).end();
      } else if (r.result().isEmpty()) {
        LOG.warn("Provisioning refused: the device's user is disabled or gone [device: {}, file: {}, from: {}]",
            device.id(), file, from);
        fail(ctx, 404, from);
      } else {
        LOG.info("Phone fetched {} [device: {}, from: {}, user-agent: {}]", file, device == null ? "-" : device.id(),
            from, ctx.request().getHeader("User-Agent"));
        ctx.response().putHeader("Content-Type", request.vendor().xml() ? "application/xml; charset=utf-8"
                : "text/plain; charset=utf-8")
            .putHeader("Cache-Control", "no-store")
            .end(io.vertx.core.buffer.Buffer.buffer(r.result().get()));
      }
    });
  }

  private void unknownMac(RoutingContext ctx, String mac, String file, String from) {
    LOG.warn("Provisioning: unknown MAC {}; add a device with this MAC to provision it [file: {}, from: {}, user-agent: {}]",
        mac, file, from, ctx.request().getHeader("User-Agent"));
    fail(ctx, 404, from);
  }

  private void fail(RoutingContext ctx, int status, String from) {
    throttle.failed(from);
    probeFailures.failed(new JsonObject().put("address", from));
    if (status == 401 && digest != null) {
      ctx.response().putHeader("WWW-Authenticate", digest.challenge());
    }
    ctx.response().setStatusCode(status).end();
  }
}
