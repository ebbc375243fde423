package io.switchboard.core.store;

import io.switchboard.core.model.Device;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;

/** Users' devices. Failures are {@link StoreException}s; MAC, endpoint and token are unique (CONFLICT naming them). */
public interface DeviceStore {

  Future<Device> create(Device device);

  Future<Optional<Device>> find(String id);

  Future<Optional<Device>> findByMac(String mac);

  Future<Optional<Device>> findByToken(String token);

  Future<Optional<Device>> findByEndpoint(String endpoint);

  /** One user's devices, oldest first. */
  Future<List<Device>> listByUser(String username);

  Future<List<Device>> list();

  /** Replaces the device with the same id; NOT_FOUND when there is none. */
  Future<Device> update(Device device);

  /** Fails with NOT_FOUND. */
  Future<Void> delete(String id);
}
