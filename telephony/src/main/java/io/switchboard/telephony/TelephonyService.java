package io.switchboard.telephony;

import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.health.Health;
import io.switchboard.core.metrics.Metrics;
import io.switchboard.core.store.DeviceStore;
import io.switchboard.core.store.UserStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * Telephony assembled: call state read from Asterisk over AMI and published on
 * {@link io.switchboard.api.EventAddresses#CALL_STATE} as
 * {@link io.switchboard.api.CallStateEvent}s; health component {@code ami}.
 *
 * <p>Start after the user store is open. Without {@code ami.host} it starts and reports
 * NOT_CONFIGURED; an Asterisk that is down or refuses the login does not fail the start either: it
 * is reported DOWN (with the reason) and retried.
 */
public final class TelephonyService {

  private final Vertx vertx;
  private final TelephonyVerticle verticle;
  private String deploymentId;

  public TelephonyService(Vertx vertx, SwitchboardConfig.Ami config, Health health, UserStore users,
      DeviceStore devices) {
    this(vertx, config, health, users, devices, AmiTiming.defaults(), new Metrics());
  }

  /** @param metrics the AMI link's state and events, click-to-call outcomes */
  public TelephonyService(Vertx vertx, SwitchboardConfig.Ami config, Health health, UserStore users,
      DeviceStore devices, Metrics metrics) {
    this(vertx, config, health, users, devices, AmiTiming.defaults(), metrics);
  }

  TelephonyService(Vertx vertx, SwitchboardConfig.Ami config, Health health, UserStore users, DeviceStore devices,
      AmiTiming timing) {
    this(vertx, config, health, users, devices, timing, new Metrics());
  }

  TelephonyService(Vertx vertx, SwitchboardConfig.Ami config, Health health, UserStore users, DeviceStore devices,
      AmiTiming timing, Metrics metrics) {
    this.vertx = vertx;
    this.verticle = new TelephonyVerticle(config, health, users, devices, timing, metrics);
  }

  /**
   * Holds the background reads of provisioned endpoints and users back until {@code gate} completes
   * (the server: until it serves; look-ups ask the store meanwhile). Before {@link #start()}.
   */
  public void loadAfter(Future<Void> gate) {
    verticle.loadAfter(gate);
  }

  /** {@code presence.active-window}: how recent a use of a device counts for the device click-to-call rings. Before {@link #start()}. */
  public void activeWindow(java.time.Duration window) {
    verticle.activeWindow(window);
  }

  /** Completes once the first AMI login attempt has an outcome (see health {@code ami}). */
  public Future<Void> start() {
    return vertx.deployVerticle(verticle).onSuccess(id -> deploymentId = id).mapEmpty();
  }

  /** Logs off from Asterisk and stops every timer. */
  public Future<Void> stop() {
    return deploymentId == null ? Future.succeededFuture() : vertx.undeploy(deploymentId);
  }

  /**
   * Rebuilds call state from Asterisk now and publishes what differs (also done after every login
   * and periodically). Fails when the link is down.
   */
  public Future<Void> resync() {
    if (verticle.runContext() == null) {
      return Future.failedFuture("telephony not started");
    }
    return Future.future(p -> verticle.runContext().runOnContext(v -> verticle.resync().onComplete(p)));
  }

  TelephonyVerticle verticle() {
    return verticle;
  }
}
