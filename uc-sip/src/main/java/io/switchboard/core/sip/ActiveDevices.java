package io.switchboard.core.sip;

import io.switchboard.api.BusConsumers;
import io.switchboard.api.EventAddresses;
import io.switchboard.api.RegistrationEvent;
import io.switchboard.core.metrics.Metrics;
import io.switchboard.core.model.Device;
import io.switchboard.core.store.DeviceStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registered contacts by the kind of their provisioned device (the {@code devices_active} gauge), kept
 * incrementally: each user's live bindings are counted again when a registration of theirs changes (one
 * user's few bindings, not the 200,000 of everybody), and everybody's once, when every stored binding is
 * in memory (the background read adopts users without an event). A binding knows only its device's id;
 * the kind comes from the device store: every kind in one read ({@link DeviceStore#kinds}) when the count
 * of everybody meets more than {@link #FIND_AT_ONCE} unknown devices, else read once per device, that many
 * at a time (a start-up with 100,000 devices must not fill the store pool's queue); {@link #forget}-ten on
 * a device change. A binding whose device's kind is not known yet counts once it is. Contacts registered with the
 * user's own credentials count as {@link #UNPROVISIONED}. Thread-safe: events come on the SIP context,
 * device reads complete on theirs.
 */
final class ActiveDevices {

  private static final Logger LOG = LoggerFactory.getLogger(ActiveDevices.class);

  static final String UNPROVISIONED = "unprovisioned";
  /** How often device reads that failed (the store was down) are tried again. */
  static final long RETRY_MILLIS = 5000;
  /** Device reads in flight at most. */
  static final int FIND_AT_ONCE = 50;
  /** Users counted again per turn of the whole count, between which registration events get their turn. */
  private static final int USERS_PER_TURN = 2000;
  private static final String[] NONE = new String[0];

  private final Map<String, AtomicInteger> byKind = new ConcurrentHashMap<>();
  private final Vertx vertx;
  private final DeviceStore devices;
  /** Per user, the device ids of the live bindings last counted ({@link #UNPROVISIONED} for none). */
  private final Map<String, String[]> counted = new HashMap<>();
  /** Per device id (or {@link #UNPROVISIONED}), how many live bindings are counted. */
  private final Map<String, Integer> perDevice = new HashMap<>();
  /** Device id → its kind's wire name, or {@link #UNPROVISIONED} when no such device. */
  private final Map<String, String> kinds = new HashMap<>();
  /** Device ids being read, each with the read's token: a read overtaken by {@link #forget} is dropped. */
  private final Map<String, Object> reading = new HashMap<>();
  /** Device ids waiting for a read, in the order met. */
  private final Set<String> toRead = new LinkedHashSet<>();
  private final List<String> failed = new ArrayList<>();
  private long retryTimer = -1;
  /** While every kind is being read at once: the devices changed meanwhile, whose kind in that read may be old. */
  private Set<String> forgottenMeanwhile;

  ActiveDevices(Vertx vertx, Metrics metrics, DeviceStore devices) {
    this.vertx = vertx;
    this.devices = devices;
    for (Device.Kind kind : Device.Kind.values()) {
      watch(metrics, kind.wireName());
    }
    watch(metrics, UNPROVISIONED);
  }

  private void watch(Metrics metrics, String kind) {
    AtomicInteger count = new AtomicInteger();
    byKind.put(kind, count);
    metrics.devicesActive(kind, count::get);
  }

  /**
   * From now on on the caller's context: follows every registration change (a refresh changes no count)
   * and counts everybody once the location service holds every stored binding.
   */
  Future<Void> follow(LocationService location, BusConsumers consumers) {
    retryTimer = vertx.setPeriodic(RETRY_MILLIS, t -> retryFailed());
    location.allLoaded().onSuccess(v -> countEverybody(location));
    return consumers.<JsonObject>consumer(EventAddresses.REGISTRATION, msg -> {
      if (!RegistrationEvent.Change.REFRESHED.name().equals(msg.body().getString("change"))) {
        String username = msg.body().getString("username");
        userChanged(username, location.bindings(username));
      }
    });
  }

  void stop() {
    if (retryTimer >= 0) {
      vertx.cancelTimer(retryTimer);
    }
  }

  /**
   * Every device's kind in one read (not 100,000 look-ups by id), then every user's bindings, counted a
   * turn of users at a time on this context. Without the kinds (the store failed) devices are read one by one.
   */
  private void countEverybody(LocationService location) {
    long started = System.nanoTime();
    List<Binding> live = location.live();
    java.util.Set<String> unknown = new java.util.HashSet<>();
    synchronized (this) {
      for (Binding b : live) {
        if (b.device() != null && !kinds.containsKey(b.device())) {
          unknown.add(b.device());
        }
      }
      if (unknown.size() > FIND_AT_ONCE) {
        forgottenMeanwhile = new java.util.HashSet<>();
      }
    }
    if (unknown.size() <= FIND_AT_ONCE) { // a few: read one by one as met (none: no store call at all)
      countUsers(location, started);
      return;
    }
    devices.kinds().onComplete(read -> {
      if (read.succeeded()) {
        learnedAll(read.result());
      } else {
        LOG.warn("Device kinds not read at once, one by one instead [reason: {}]", read.cause().getMessage());
      }
      countUsers(location, started);
    });
  }

  private synchronized void learnedAll(Map<String, Device.Kind> all) {
    all.forEach((id, kind) -> {
      if (kind != null && !forgottenMeanwhile.contains(id) && !kinds.containsKey(id) && !reading.containsKey(id)) {
        kinds.put(id, kind.wireName());
        byKind.get(kind.wireName()).addAndGet(perDevice.getOrDefault(id, 0));
      }
    });
    forgottenMeanwhile = null;
  }

  private void countUsers(LocationService location, long started) {
    Map<String, List<Binding>> byUser = new HashMap<>();
    for (Binding b : location.live()) {
      byUser.computeIfAbsent(b.username(), u -> new ArrayList<>(2)).add(b);
    }
    List<String> users = new ArrayList<>(byUser.keySet());
    synchronized (this) {
      users.addAll(counted.keySet()); // counted before, gone since: counted again as none
    }
    countTurn(users, 0, byUser, started);
  }

  private void countTurn(List<String> users, int from, Map<String, List<Binding>> byUser, long started) {
    int to = Math.min(users.size(), from + USERS_PER_TURN);
    for (int i = from; i < to; i++) {
      String username = users.get(i);
      userChanged(username, byUser.getOrDefault(username, List.of()));
    }
    if (to < users.size()) {
      vertx.runOnContext(v -> countTurn(users, to, byUser, started));
    } else {
      LOG.info("Active devices counted [users: {}, took: {} ms]", byUser.size(), (System.nanoTime() - started) / 1_000_000);
    }
  }

  /** The user's live bindings now: what they add to the counts replaces what they added before. */
  synchronized void userChanged(String username, List<Binding> live) {
    String[] now = NONE;
    if (!live.isEmpty()) {
      now = new String[live.size()];
      for (int i = 0; i < now.length; i++) {
        String device = live.get(i).device();
        now[i] = device == null ? UNPROVISIONED : device;
      }
      Arrays.sort(now);
    }
    String[] before = now.length == 0 ? counted.remove(username) : counted.put(username, now);
    if (before != null && Arrays.equals(before, now)) {
      return;
    }
    if (before != null) {
      for (String device : before) {
        add(device, -1);
      }
    }
    for (String device : now) {
      add(device, 1);
    }
  }

  private void add(String device, int delta) {
    perDevice.merge(device, delta, (a, b) -> a + b == 0 ? null : a + b);
    String kind = UNPROVISIONED.equals(device) ? UNPROVISIONED : kinds.get(device);
    if (kind != null) {
      byKind.get(kind).addAndGet(delta);
    } else if (delta > 0) {
      read(device);
    }
  }

  /** A device was changed or deleted: its bindings count under what it is now, once read again. */
  synchronized void forget(String deviceId) {
    if (forgottenMeanwhile != null) {
      forgottenMeanwhile.add(deviceId);
    }
    String kind = kinds.remove(deviceId);
    reading.remove(deviceId);
    int bindings = perDevice.getOrDefault(deviceId, 0);
    if (kind != null) {
      byKind.get(kind).addAndGet(-bindings);
    }
    if (bindings > 0) {
      read(deviceId);
    }
  }

  private void read(String deviceId) {
    if (!reading.containsKey(deviceId) && toRead.add(deviceId)) {
      readMore();
    }
  }

  private void readMore() {
    Iterator<String> next = toRead.iterator();
    while (reading.size() < FIND_AT_ONCE && next.hasNext()) {
      String id = next.next();
      next.remove();
      if (kinds.containsKey(id) || reading.containsKey(id)) {
        continue;
      }
      Object token = new Object();
      reading.put(id, token);
      devices.find(id).onComplete(found -> learned(id, token, found.succeeded() ? found.result() : null));
    }
  }

  private synchronized void learned(String id, Object token, Optional<Device> device) {
    if (reading.get(id) != token) {
      return; // forgotten meanwhile: a newer read decides
    }
    reading.remove(id);
    if (device == null) {
      failed.add(id);
    } else {
      String kind = device.map(d -> d.kind().wireName()).orElse(UNPROVISIONED);
      kinds.put(id, kind);
      byKind.get(kind).addAndGet(perDevice.getOrDefault(id, 0));
    }
    readMore();
  }

  private synchronized void retryFailed() {
    List<String> again = List.copyOf(failed);
    failed.clear();
    again.forEach(id -> {
      if (perDevice.containsKey(id)) {
        read(id);
      }
    });
  }

  /** The gauge's value for a kind (tests). */
  int count(String kind) {
    return byKind.get(kind).get();
  }
}
