package io.switchboard.core.sip;

import io.switchboard.core.metrics.Metrics;
import io.switchboard.core.model.Device;
import io.switchboard.core.store.DeviceStore;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Registered contacts by the kind of their provisioned device (the {@code devices_active} gauge),
 * recounted on the SIP service's context after every registration change and every few seconds: a
 * binding knows only its device's id, and the kind comes from the caching device store. Contacts
 * registered with the user's own credentials count as {@link #UNPROVISIONED}.
 */
final class ActiveDevices {

  static final String UNPROVISIONED = "unprovisioned";
  static final long RECOUNT_MILLIS = 5000;

  private final Map<String, AtomicInteger> byKind = new ConcurrentHashMap<>();
  private final DeviceStore devices;

  ActiveDevices(Metrics metrics, DeviceStore devices) {
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
  private boolean changedMeanwhile;

  /**
   * A registration changed: recount now, or once more after the recount in progress (bursts of
   * REGISTERs cost one recount at a time, and the last change is always counted). One context only.
   */
  void changed(java.util.function.Supplier<List<Binding>> bindings) {
    if (recounting) {
      changedMeanwhile = true;
      return;
    }
    recounting = true;
    recount(bindings.get()).onComplete(done -> {
      recounting = false;
      if (changedMeanwhile) {
        changedMeanwhile = false;
        changed(bindings);
      }
    });
  }

  Future<Void> recount(List<Binding> bindings) {
    List<Future<String>> kinds = bindings.stream().map(b -> b.device() == null ? Future.succeededFuture(UNPROVISIONED)
        : devices.find(b.device()).map(d -> d.map(device -> device.kind().wireName()).orElse(UNPROVISIONED))).toList();
    return Future.join(kinds).onSuccess(all -> {
      Map<String, Integer> counted = new java.util.HashMap<>();
      kinds.forEach(k -> counted.merge(k.result(), 1, Integer::sum));
      byKind.forEach((kind, count) -> count.set(counted.getOrDefault(kind, 0)));
    }).mapEmpty();
  }
}
