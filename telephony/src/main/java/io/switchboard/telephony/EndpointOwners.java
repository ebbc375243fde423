package io.switchboard.telephony;

import io.switchboard.core.bus.DeviceEvent;
import io.switchboard.core.bus.EventAddresses;
import io.switchboard.core.model.User;
import io.switchboard.core.store.DeviceStore;
import io.switchboard.core.store.UserStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Whose phone an Asterisk endpoint is: the user of the provisioned device with that endpoint name,
 * else the user whose extension (or username) it is, for endpoints an operator configured in
 * Asterisk by hand, named by extension as is usual. Provisioned endpoints are all held in memory
 * (loaded at start, kept by the device events), so that a burst of call events never waits for the
 * store; look-ups by extension are remembered until a user changes. Used on the telephony context only.
 */
final class EndpointOwners {

  /** Trunks and strangers' endpoints are asked about too; bound what is remembered. */
  private static final int MAX_REMEMBERED = 10_000;

  private final Vertx vertx;
  private final UserStore users;
  private final DeviceStore devices;
  /** Provisioned endpoint → username, and device id → its endpoint (to forget a renamed or deleted one). */
  private final Map<String, String> provisioned = new HashMap<>();
  private final Map<String, String> endpointOfDevice = new HashMap<>();
  private final Map<String, Future<Optional<String>>> byExtension = new HashMap<>();

  EndpointOwners(Vertx vertx, UserStore users, DeviceStore devices) {
    this.vertx = vertx;
    this.users = users;
    this.devices = devices;
  }

  Future<Void> start() {
    var bus = vertx.eventBus();
    return bus.consumer(EventAddresses.USER_CHANGED, m -> byExtension.clear()).completion()
        .compose(v -> bus.<JsonObject>consumer(EventAddresses.DEVICE_CHANGED, m -> deviceChanged(DeviceEvent.fromJson(m.body())))
            .completion())
        .compose(v -> devices.list())
        .map(all -> {
          all.forEach(d -> remember(d.id(), d.endpoint(), d.username()));
          return null;
        });
  }

  /** The username owning {@code endpoint} (the part after {@code PJSIP/}), empty when nobody does. */
  Future<Optional<String>> owner(String endpoint) {
    String username = provisioned.get(endpoint);
    if (username != null) {
      return Future.succeededFuture(Optional.of(username));
    }
    Future<Optional<String>> known = byExtension.get(endpoint);
    if (known != null) {
      return known;
    }
    if (byExtension.size() >= MAX_REMEMBERED) {
      byExtension.clear();
    }
    Future<Optional<String>> found = users.findByUsernameOrExtension(endpoint).map(user -> user.map(User::username));
    byExtension.put(endpoint, found);
    found.onFailure(e -> byExtension.remove(endpoint, found));
    return found;
  }

  private void deviceChanged(DeviceEvent event) {
    String before = endpointOfDevice.remove(event.id());
    if (before != null) {
      provisioned.remove(before);
    }
    if (event.change() != DeviceEvent.Change.DELETED) {
      remember(event.id(), event.device().getString("endpoint"), event.username());
    }
  }

  private void remember(String deviceId, String endpoint, String username) {
    if (endpoint != null) {
      provisioned.put(endpoint, username);
      endpointOfDevice.put(deviceId, endpoint);
    }
  }
}
