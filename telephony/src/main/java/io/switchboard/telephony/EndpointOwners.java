package io.switchboard.telephony;

import io.switchboard.core.bus.EventAddresses;
import io.switchboard.core.model.Device;
import io.switchboard.core.model.User;
import io.switchboard.core.store.DeviceStore;
import io.switchboard.core.store.UserStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Whose phone an Asterisk endpoint is: the user of the provisioned device with that endpoint name,
 * else the user whose extension (or username) it is, for endpoints an operator configured in
 * Asterisk by hand, named by extension as is usual. Answers are remembered and all forgotten on any
 * user or device change, which are rare next to call events. Used on the telephony context only.
 */
final class EndpointOwners {

  /** Trunks and strangers' endpoints are asked about too; bound what is remembered. */
  private static final int MAX_REMEMBERED = 10_000;

  private final Vertx vertx;
  private final UserStore users;
  private final DeviceStore devices;
  private final Map<String, Future<Optional<String>>> owners = new HashMap<>();

  EndpointOwners(Vertx vertx, UserStore users, DeviceStore devices) {
    this.vertx = vertx;
    this.users = users;
    this.devices = devices;
  }

  Future<Void> start() {
    return vertx.eventBus().consumer(EventAddresses.USER_CHANGED, m -> owners.clear()).completion()
        .compose(v -> vertx.eventBus().consumer(EventAddresses.DEVICE_CHANGED, m -> owners.clear()).completion());
  }

  /** The username owning {@code endpoint} (the part after {@code PJSIP/}), empty when nobody does. */
  Future<Optional<String>> owner(String endpoint) {
    Future<Optional<String>> known = owners.get(endpoint);
    if (known != null) {
      return known;
    }
    if (owners.size() >= MAX_REMEMBERED) {
      owners.clear();
    }
    Future<Optional<String>> found = devices.findByEndpoint(endpoint).compose(device -> device.isPresent()
        ? Future.succeededFuture(device.map(Device::username))
        : users.findByUsernameOrExtension(endpoint).map(user -> user.map(User::username)));
    owners.put(endpoint, found);
    found.onFailure(e -> owners.remove(endpoint, found));
    return found;
  }
}
