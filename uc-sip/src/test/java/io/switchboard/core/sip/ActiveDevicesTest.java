package io.switchboard.core.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.BusConsumers;
import io.switchboard.api.RegistrationEvent;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.metrics.Metrics;
import io.switchboard.core.model.Device;
import io.switchboard.core.store.MongoDeviceStore;
import io.switchboard.core.store.MongoStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code devices_active} gauge kept incrementally ({@link ActiveDevices}) on the real location service
 * and the embedded store: bindings read in the background at start are counted once all are in, then each
 * registration, unregistration, expiry (by the location service's sweep, on a clock the test moves) and
 * device change moves the counts by exactly what it changed.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class ActiveDevicesTest {

  private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");

  private MongoStore store;
  private LocationService location;
  private ActiveDevices active;
  private volatile Instant now = T0;

  @AfterEach
  void close() throws Exception {
    if (active != null) {
      active.stop();
    }
    if (location != null) {
      location.stop().await(20, TimeUnit.SECONDS);
    }
    if (store != null) {
      store.close();
    }
  }

  private final Clock clock = new Clock() {
    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  };

  private static Device device(String id, String owner, Device.Kind kind) {
    return new Device(id, owner, kind, "yealink", "T46U", null, id + "-ep", id + "-secret", id + "-token", null, T0, T0);
  }

  private static Binding binding(String user, String key, String device, long seconds) {
    return new Binding(user, key, "sip:" + user + "@127.0.0.1:" + (5060 + key.length()), T0.plusSeconds(seconds),
        key + "-call", 1, 1.0f, "test-phone", List.of(), "udp", "127.0.0.1:5060", device);
  }

  private Future<Void> counts(Vertx vertx, Map<String, Integer> expected) {
    Promise<Void> reached = Promise.promise();
    long timer = vertx.setPeriodic(50, t -> {
      if (expected.entrySet().stream().allMatch(e -> active.count(e.getKey()) == e.getValue())) {
        reached.tryComplete();
      }
    });
    return reached.future().onComplete(r -> vertx.cancelTimer(timer));
  }

  private void assertCounts(Vertx vertx, String when, int desk, int soft, int mobile, int unprovisioned) {
    Map<String, Integer> expected = new LinkedHashMap<>();
    expected.put("desk-phone", desk);
    expected.put("softphone", soft);
    expected.put("mobile", mobile);
    expected.put(ActiveDevices.UNPROVISIONED, unprovisioned);
    try {
      counts(vertx, expected).await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      // Not reached: the assertion below says what the gauge shows instead.
    }
    for (var e : expected.entrySet()) {
      assertEquals(e.getValue(), active.count(e.getKey()), when + ": " + e.getKey());
    }
  }

  @Test
  void countsFollowRegistrationsUnregistrationsExpiryAndDeviceChanges(Vertx vertx, @TempDir Path dir) throws Exception {
    store = MongoStore.open(new SwitchboardConfig.Store(dir, Optional.empty(), "switchboard"));
    MongoDeviceStore devices = new MongoDeviceStore(vertx, store);
    MongoBindingStore bindings = new MongoBindingStore(vertx, store);
    devices.create(device("d-desk", "alice", Device.Kind.DESK_PHONE)).await();
    devices.create(device("d-soft", "bob", Device.Kind.SOFTPHONE)).await();
    devices.create(device("d-mobile", "carol", Device.Kind.MOBILE)).await();
    // Stored before the start: adopted by the background read, which publishes nothing.
    bindings.save(binding("alice", "desk", "d-desk", 3600)).await();
    bindings.save(binding("alice", "own", null, 3600)).await();
    bindings.save(binding("bob", "soft", "d-soft", 3600)).await();
    bindings.save(binding("erin", "gone", "d-removed", 3600)).await(); // a device deleted since: unprovisioned

    location = new LocationService(vertx, bindings, clock, Duration.ZERO);
    active = new ActiveDevices(vertx, new Metrics(), devices);
    Context context = vertx.getOrCreateContext();
    Promise<Void> started = Promise.promise();
    context.runOnContext(v -> active.follow(location, new BusConsumers(vertx)).compose(x -> location.start())
        .onComplete(started));
    started.future().await(30, TimeUnit.SECONDS);
    location.allLoaded().await(30, TimeUnit.SECONDS);
    assertCounts(vertx, "the stored bindings, once all are in", 1, 1, 0, 2);

    assertEquals(true, location.put(binding("carol", "mobile", "d-mobile", 60), location.mark()).await());
    assertEquals(true, location.put(binding("dave", "own", null, 3600), location.mark()).await());
    assertCounts(vertx, "carol's mobile and dave's own registered", 1, 1, 1, 3);

    location.remove("alice", "desk", RegistrationEvent.Change.UNREGISTERED).await();
    assertCounts(vertx, "alice's desk phone unregistered", 0, 1, 1, 3);
    assertEquals(true, location.put(binding("alice", "desk", "d-desk", 3600), location.mark()).await());
    assertEquals(true, location.put(binding("alice", "desk2", "d-desk", 3600), location.mark()).await());
    assertCounts(vertx, "registered again, twice", 2, 1, 1, 3);

    now = T0.plusSeconds(120); // carol's expired: the sweep removes it within a second
    assertCounts(vertx, "carol's expired", 2, 1, 0, 3);

    devices.update(device("d-soft", "bob", Device.Kind.MOBILE)).await();
    active.forget("d-soft");
    assertCounts(vertx, "bob's softphone is a mobile now", 2, 0, 1, 3);

    location.removeAll("alice", RegistrationEvent.Change.REVOKED).await();
    assertCounts(vertx, "alice revoked", 0, 0, 1, 2);
  }

  @Test
  void manyDevicesKindsAreReadAtOnceAndCounted(Vertx vertx, @TempDir Path dir) throws Exception {
    store = MongoStore.open(new SwitchboardConfig.Store(dir, Optional.empty(), "switchboard"));
    MongoDeviceStore devices = new MongoDeviceStore(vertx, store);
    MongoBindingStore bindings = new MongoBindingStore(vertx, store);
    int many = ActiveDevices.FIND_AT_ONCE * 3; // more unknown devices than are read one by one
    List<Device> all = new java.util.ArrayList<>();
    for (int i = 0; i < many; i++) {
      all.add(device("d" + i, "user" + i, i % 3 == 0 ? Device.Kind.SOFTPHONE : Device.Kind.DESK_PHONE));
    }
    devices.createAll(all).await();
    for (int i = 0; i < many; i++) {
      bindings.save(binding("user" + i, "k", "d" + i, 3600)).await();
    }
    long walked = io.switchboard.core.store.IndexUse.positions("switchboard.devices", "_id_");
    location = new LocationService(vertx, bindings, clock, Duration.ZERO);
    active = new ActiveDevices(vertx, new Metrics(), devices);
    Context context = vertx.getOrCreateContext();
    Promise<Void> started = Promise.promise();
    context.runOnContext(v -> active.follow(location, new BusConsumers(vertx)).compose(x -> location.start())
        .onComplete(started));
    started.future().await(30, TimeUnit.SECONDS);
    assertCounts(vertx, "every stored binding by its device's kind", many - many / 3, many / 3, 0, 0);
    assertTrue(io.switchboard.core.store.IndexUse.positions("switchboard.devices", "_id_") - walked >= many,
        "the kinds came from one read of the devices in _id ranges, not one look-up each");
  }
}
