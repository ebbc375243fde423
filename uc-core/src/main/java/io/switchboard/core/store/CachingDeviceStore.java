package io.switchboard.core.store;

import io.switchboard.api.EventAddresses;
import io.switchboard.core.model.Device;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Keeps recent device look-ups by id and by endpoint in memory: the registrar resolves a device's
 * credentials (auth username = endpoint) on every REGISTER, MESSAGE and SUBSCRIBE it authenticates,
 * and IM reads a device's profile for every message it delivers. Any change, here or announced on
 * {@link EventAddresses#DEVICE_CHANGED} (by provisioning, or another node), empties the cache;
 * entries also age out. The other look-ups go to the store.
 */
public final class CachingDeviceStore implements DeviceStore {

  static final long TTL_MILLIS = 60_000;
  static final int MAX_ENTRIES = 10_000;

  private final DeviceStore delegate;
  private final LookupCache<Device> byId;
  private final LookupCache<Device> byEndpoint;
  private final io.vertx.core.eventbus.MessageConsumer<Object> changes;

  public CachingDeviceStore(Vertx vertx, DeviceStore delegate, Clock clock) {
    this.delegate = delegate;
    this.byId = new LookupCache<>(clock, TTL_MILLIS, MAX_ENTRIES);
    this.byEndpoint = new LookupCache<>(clock, TTL_MILLIS, MAX_ENTRIES);
    this.changes = vertx.eventBus().consumer(EventAddresses.DEVICE_CHANGED, m -> clear());
  }

  /** Stops listening for changes (the owner stops): no handler is left on the bus. */
  public Future<Void> close() {
    return changes.unregister();
  }

  public void clear() {
    byId.clear();
    byEndpoint.clear();
  }

  @Override
  public Future<Device> create(Device device) {
    return delegate.create(device).onComplete(r -> clear());
  }

  @Override
  public Future<Void> createAll(List<Device> devices) {
    return delegate.createAll(devices).onComplete(r -> clear());
  }

  @Override
  public Future<Optional<Device>> find(String id) {
    return byId.get(id, () -> delegate.find(id));
  }

  @Override
  public Future<Optional<Device>> findByMac(String mac) {
    return delegate.findByMac(mac);
  }

  @Override
  public Future<Optional<Device>> findByToken(String token) {
    return delegate.findByToken(token);
  }

  @Override
  public Future<Optional<Device>> findByEndpoint(String endpoint) {
    return byEndpoint.get(endpoint, () -> delegate.findByEndpoint(endpoint));
  }

  @Override
  public Future<List<Device>> listByUser(String username) {
    return delegate.listByUser(username);
  }

  @Override
  public Future<List<Device>> list() {
    return delegate.list();
  }

  @Override
  public Future<java.util.Map<String, Device.Kind>> kinds() {
    return delegate.kinds();
  }

  @Override
  public Future<Device> update(Device device) {
    return delegate.update(device).onComplete(r -> clear());
  }

  @Override
  public Future<Void> delete(String id) {
    return delegate.delete(id).onComplete(r -> clear());
  }
}
