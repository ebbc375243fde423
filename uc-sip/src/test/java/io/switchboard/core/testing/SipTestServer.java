package io.switchboard.core.testing;

import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.exec.TaskPools;
import io.switchboard.core.health.Health;
import io.switchboard.core.model.Role;
import io.switchboard.core.model.User;
import io.switchboard.core.security.Digest;
import io.switchboard.core.sip.SipService;
import io.switchboard.core.store.MongoStore;
import io.switchboard.core.store.CachingDeviceStore;
import io.switchboard.core.store.CachingUserStore;
import io.switchboard.core.store.DeviceStore;
import io.switchboard.core.store.MongoDeviceStore;
import io.switchboard.core.store.MongoUserStore;
import io.switchboard.core.store.UserStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * uc-core's SIP side on loopback with the embedded store, as the tests of every module use it.
 * Start and stop return futures; nothing blocks an event loop.
 */
public final class SipTestServer {

  public final Vertx vertx;
  public final SwitchboardConfig config;
  public final Health health = new Health();
  /** The named pools, as the server builds them (defaults at start); a test may put smaller ones here before {@link #start()}. */
  public TaskPools pools;
  public MongoStore store;
  public UserStore users;
  public SipService sip;
  /** Devices, cached as the server caches them; provisioning's own service is not here. */
  public DeviceStore devices;
  /** Wraps the bindings' store before the SIP service gets it (a test that holds writes back). */
  public java.util.function.UnaryOperator<io.switchboard.core.sip.BindingStore> bindingStore = b -> b;
  /** Feature modules hook in here: called after the SIP service is built, before it starts. */
  public final java.util.List<java.util.function.Consumer<SipTestServer>> beforeSipStart = new java.util.ArrayList<>();
  /** Set before start for SIP over TLS on {@code sip.tls-port}. */
  public java.util.Optional<io.switchboard.core.tls.TlsCredentials> tls = java.util.Optional.empty();

  public SipTestServer(Vertx vertx, Path dataDir, Map<String, String> settings) throws java.io.IOException {
    this.vertx = vertx;
    this.config = TestConfigs.loopback(dataDir, FreePorts.udpAndTcp(), 0, settings);
  }

  public int sipPort() {
    return config.sip().port();
  }

  public String domain() {
    return config.sip().domain();
  }

  public Future<Void> start() {
    if (pools == null) {
      pools = TaskPools.withDefaults(vertx);
    }
    return vertx.executeBlocking(() -> {
      store = MongoStore.open(config.store(), pools.store());
      MongoUserStore mongoUsers = new MongoUserStore(vertx, store);
      mongoUsers.createIndexes();
      users = new CachingUserStore(vertx, mongoUsers, java.time.Clock.systemUTC());
      MongoDeviceStore mongoDevices = new MongoDeviceStore(vertx, store);
      mongoDevices.createIndexes();
      devices = new CachingDeviceStore(vertx, mongoDevices, java.time.Clock.systemUTC());
      return null;
    }).compose(v -> {
      sip = new SipService(vertx, config.sip(), tls, health, users, devices,
          bindingStore.apply(new io.switchboard.core.sip.MongoBindingStore(vertx, store)), java.time.Clock.systemUTC(),
          pools.sipSend());
      beforeSipStart.forEach(hook -> hook.accept(this));
      return sip.start();
    });
  }

  /** Creates an enabled user with a SIP password (stored only as HA1). */
  public Future<User> createUser(String username, String extension, String sipPassword) {
    Instant now = Instant.now();
    return users.create(new User(username, username.substring(0, 1).toUpperCase() + username.substring(1), extension,
        Role.USER, true, null, Digest.ha1s(username, domain(), sipPassword), now, now));
  }

  public Future<Void> stop() {
    Future<Void> sipStopped = sip == null ? Future.succeededFuture() : sip.stop();
    return sipStopped.compose(v -> vertx.<Void>executeBlocking(() -> {
      if (store != null) {
        store.close();
      }
      return null;
    })).eventually(() -> pools == null ? Future.<Void>succeededFuture() : pools.close());
  }
}
