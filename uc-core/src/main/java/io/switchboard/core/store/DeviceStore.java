package io.switchboard.core.store;

import io.switchboard.core.model.Device;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;

/** Users' devices. Failures are {@link StoreException}s; MAC, endpoint and token are unique (CONFLICT naming them). */
public interface DeviceStore {

  Future<Device> create(Device device);

  /**
   * Stores new devices in one go (a batch write where the store has one): all of them, or, failing
   * with a {@link io.switchboard.core.store.StoreException}, none (what was written is removed again).
   */
  default Future<Void> createAll(List<Device> devices) {
    Future<Void> chain = Future.succeededFuture();
    List<Device> written = new java.util.ArrayList<>();
    for (Device d : devices) {
      chain = chain.compose(v -> create(d).map(x -> {
        written.add(x);
        return null;
      }));
    }
    return chain.recover(e -> {
      Future<Void> undo = Future.succeededFuture();
      for (Device d : written) {
        undo = undo.compose(v -> delete(d.id()).recover(x -> Future.succeededFuture()));
      }
      return undo.transform(x -> Future.failedFuture(e));
    });
  }

  Future<Optional<Device>> find(String id);

  Future<Optional<Device>> findByMac(String mac);

  Future<Optional<Device>> findByToken(String token);

  Future<Optional<Device>> findByEndpoint(String endpoint);

  /** One user's devices, oldest first. */
  Future<List<Device>> listByUser(String username);

  Future<List<Device>> list();

  /** Every device's kind by its id: less to hold than {@link #list()} when only that is wanted (100,000 devices). */
  default Future<java.util.Map<String, Device.Kind>> kinds() {
    return list().map(all -> {
      java.util.Map<String, Device.Kind> out = new java.util.HashMap<>();
      all.forEach(d -> out.put(d.id(), d.kind()));
      return out;
    });
  }

  /** Replaces the device with the same id; NOT_FOUND when there is none. */
  Future<Device> update(Device device);

  /** Fails with NOT_FOUND. */
  Future<Void> delete(String id);
}
