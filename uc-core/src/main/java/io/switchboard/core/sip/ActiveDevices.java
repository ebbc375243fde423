package io.switchboard.core.sip;

import io.switchboard.core.metrics.Metrics;
import io.switchboard.core.model.Device;
import io.switchboard.core.store.DeviceStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Registered contacts by the kind of their provisioned device (the {@code devices_active} gauge),
 * recounted on the SIP service's context shortly after registration changes (one recount for a burst)
 * and every few seconds: a binding knows only its device's id, and the kind comes from the device
 * store, remembered per device id here (a device's kind changes only through an edit, which
 * {@link #forget}s it), at most {@link #FIND_AT_ONCE} new ones read per recount. With 200,000
 * bindings, a recount that asked the store for every binding's device after every REGISTER filled the
 * store pool's queue. Contacts registered with the user's own
 * credentials count as {@link #UNPROVISIONED}.
 */
final class ActiveDevices {

  static final String UNPROVISIONED = "unprovisioned";
  static final long RECOUNT_MILLIS = 5000;
  /** After a registration change, the recount waits this long, so that a burst costs one. */
  static final long CHANGE_DELAY_MILLIS = 200;
  /**
   * Unknown devices read per recount, one look-up each: one {@code list()} of 100,000 devices while
   * start-up loads profiles and bindings is a large transient on the heap (a start at -Xmx1g ran out).
   */
  static final int FIND_AT_ONCE = 500;

  private final Map<String, AtomicInteger> byKind = new ConcurrentHashMap<>();
  /** Device id → its kind's wire name, or {@link #UNPROVISIONED} when no such device. */
  private final Map<String, String> kinds = new ConcurrentHashMap<>();
  private final Vertx vertx;
  private final DeviceStore devices;

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

  private boolean recounting;
  private boolean due;

  /**
   * A registration changed: recount a little later, once for all the changes until then (and once
   * more after a recount in progress). One context only.
   */
  void changed(Supplier<List<Binding>> bindings) {
    if (due) {
      return;
    }
    due = true;
    vertx.setTimer(CHANGE_DELAY_MILLIS, t -> recountWhenIdle(bindings));
  }

  private void recountWhenIdle(Supplier<List<Binding>> bindings) {
    if (recounting) {
      vertx.setTimer(CHANGE_DELAY_MILLIS, t -> recountWhenIdle(bindings));
      return;
    }
    due = false;
    recounting = true;
    recount(bindings.get()).onComplete(done -> recounting = false);
  }

  /** A device was changed or deleted: its kind is read again when next counted. */
  void forget(String deviceId) {
    kinds.remove(deviceId);
  }

  Future<Void> recount(List<Binding> bindings) {
    Set<String> unknown = new HashSet<>();
    for (Binding b : bindings) {
      if (b.device() != null && !kinds.containsKey(b.device())) {
        unknown.add(b.device());
      }
    }
    boolean complete = unknown.size() <= FIND_AT_ONCE;
    return learn(unknown.stream().limit(FIND_AT_ONCE).toList()).onSuccess(v -> {
      if (!complete) {
        return; // the gauge keeps its last values until every device is known (a few recounts after start)
      }
      Map<String, Integer> counted = new HashMap<>();
      for (Binding b : bindings) {
        counted.merge(b.device() == null ? UNPROVISIONED : kinds.getOrDefault(b.device(), UNPROVISIONED), 1, Integer::sum);
      }
      byKind.forEach((kind, count) -> count.set(counted.getOrDefault(kind, 0)));
    });
  }

  private Future<Void> learn(List<String> ids) {
    List<Future<Void>> found = ids.stream().map(id -> devices.find(id)
        .map(d -> {
          kinds.put(id, d.map(device -> device.kind().wireName()).orElse(UNPROVISIONED));
          return (Void) null;
        })).toList();
    return Future.join(found).mapEmpty();
  }
}
