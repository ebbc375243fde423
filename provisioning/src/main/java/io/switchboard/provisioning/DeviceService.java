package io.switchboard.provisioning;

import io.switchboard.api.BusConsumers;
import io.switchboard.api.BusFailure;
import io.switchboard.api.BusPayload;
import io.switchboard.api.NoContent;
import io.switchboard.api.provisioning.DeviceList;
import io.switchboard.api.provisioning.DeviceRequest;
import io.switchboard.api.provisioning.DeviceView;
import io.switchboard.api.DeviceEvent;
import io.switchboard.api.EventAddresses;
import io.switchboard.core.model.Device;
import io.switchboard.core.model.User;
import io.switchboard.core.store.DeviceStore;
import io.switchboard.core.store.UserStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Devices: create, change, delete, each announced on {@link EventAddresses#DEVICE_CHANGED}; answers
 * {@link EventAddresses#DEVICES}. Secrets (the SIP password for Asterisk, the provisioning token)
 * are made here, at creation, and leave only inside the provisioning URL and the phone's file.
 *
 * <p>Endpoint names: a SIP device the administrator names no endpoint for gets the user's extension
 * (else username) when that is free among the user's devices, else {@code <ext>-2}, {@code <ext>-3}...
 */
public final class DeviceService {

  private static final Logger LOG = LoggerFactory.getLogger(DeviceService.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final BusConsumers consumers;
  private final Vertx vertx;
  private final DeviceStore devices;
  private final UserStore users;
  private final ProvisioningUrls urls;

  public DeviceService(Vertx vertx, DeviceStore devices, UserStore users, ProvisioningUrls urls) {
    this.vertx = vertx;
    this.devices = devices;
    this.users = users;
    this.urls = urls;
    this.consumers = new BusConsumers(vertx);
  }

  Future<Void> start() {
    return consumers.answer(EventAddresses.DEVICES, DeviceRequest::fromJson, this::request, Failure::translate);
  }

  Future<Void> stop() {
    return consumers.unregisterAll();
  }

  DeviceStore store() {
    return devices;
  }

  private Future<? extends BusPayload> request(DeviceRequest q) {
    if (!q.caller().isAdmin()) {
      return Future.failedFuture(BusFailure.administratorsOnly());
    }
    try {
      return switch (q.op()) {
        case LIST -> user(q.user()).compose(u -> devices.listByUser(u.username()))
            .map(list -> new DeviceList(list.stream().map(this::view).toList()));
        case GET -> device(q.id()).map(this::view);
        case CREATE -> create(q.user(), q.device()).map(this::view);
        case PATCH -> patch(q.id(), q.device()).map(this::view);
        case DELETE -> device(q.id()).compose(this::delete).map(NoContent.INSTANCE);
      };
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** The public view with the provisioning URL, as the bus carries it. */
  DeviceView view(Device d) {
    return new DeviceView(d.id(), d.username(), d.kind().wireName(), d.vendor(), d.model(), d.mac(), d.endpoint(),
        d.profile().toJson(), d.createdAt(), d.updatedAt(), urls.forDevice(d));
  }

  private Future<User> user(String username) {
    return users.find(username == null ? "" : username).compose(found -> found.map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(BusFailure.notFound("username", "no user " + username))));
  }

  private Future<Device> device(String id) {
    return devices.find(id == null ? "" : id).compose(found -> found.map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(BusFailure.notFound("id", "no device " + id))));
  }

  /** Validates and creates; the checked fields come from {@link DeviceRequests#check}. */
  Future<Device> create(String username, JsonObject body) {
    DeviceRequests.Fields f = DeviceRequests.check(body, null);
    return user(username).compose(u -> devices.listByUser(u.username())
        .compose(existing -> insert(newDevice(u, f, existing))));
  }

  /** Stores a new device and announces it; the fields were checked and the endpoint chosen by the caller. */
  Future<Device> insert(Device d) {
    return devices.create(d).onSuccess(created -> {
      LOG.info("Device created [{}]", created);
      publish(created, DeviceEvent.Change.CREATED);
    });
  }

  /** Stores new devices in one batch (all or none) and announces each. */
  Future<Void> insertAll(List<Device> batch) {
    return devices.createAll(batch).onSuccess(v -> {
      LOG.info("Devices created [{}]", batch.size());
      batch.forEach(d -> publish(d, DeviceEvent.Change.CREATED));
    });
  }

  /** A new device with fresh secrets, its endpoint chosen among {@code existing} ones of the user. */
  static Device newDevice(User u, DeviceRequests.Fields f, List<Device> existing) {
    // Strictly after the user's newest device, so that "oldest first" (the primary phone) is the
    // order they were added in, even for devices made within one millisecond (an import).
    Instant now = existing.stream().map(Device::createdAt).filter(java.util.Objects::nonNull)
        .map(t -> t.plusMillis(1)).reduce(Instant.now().truncatedTo(ChronoUnit.MILLIS), (a, b) -> a.isAfter(b) ? a : b);
    String endpoint = f.kind().sipPhone() && f.endpoint() == null ? endpointFor(u, existing) : f.endpoint();
    return new Device(UUID.randomUUID().toString(), u.username(), f.kind(), f.vendor(), f.model(), f.mac(), endpoint,
        f.kind().sipPhone() ? secret(18) : null, secret(24), f.profile(), now, now);
  }

  static String endpointFor(User u, List<Device> existing) {
    String base = u.extension() != null ? u.extension() : u.username();
    Set<String> taken = new HashSet<>();
    existing.forEach(d -> taken.add(d.endpoint()));
    if (!taken.contains(base)) {
      return base;
    }
    for (int n = 2; ; n++) {
      if (!taken.contains(base + "-" + n)) {
        return base + "-" + n;
      }
    }
  }

  private Future<Device> patch(String id, JsonObject body) {
    return device(id).compose(current -> {
      DeviceRequests.Fields f = DeviceRequests.check(body, current);
      // A SIP device left without an endpoint (it was a browser, or the name was removed) gets one chosen.
      Future<String> chosen = f.kind().sipPhone() && f.endpoint() == null
          ? user(current.username()).compose(u -> devices.listByUser(u.username())
              .map(list -> endpointFor(u, list.stream().filter(d -> !d.id().equals(current.id())).toList())))
          : Future.succeededFuture(f.endpoint());
      return chosen.compose(ep -> devices.update(new Device(current.id(), current.username(), f.kind(), f.vendor(),
          f.model(), f.mac(), ep, current.sipSecret() != null || !f.kind().sipPhone() ? current.sipSecret() : secret(18),
          current.token(), f.profile(), current.createdAt(), Instant.now().truncatedTo(ChronoUnit.MILLIS))));
    }).onSuccess(d -> {
      LOG.info("Device changed [{}]", d);
      publish(d, DeviceEvent.Change.UPDATED);
    });
  }

  Future<Void> delete(Device d) {
    return devices.delete(d.id()).onSuccess(v -> {
      LOG.info("Device deleted [{}]", d);
      publish(d, DeviceEvent.Change.DELETED);
    });
  }

  /** Deletes every device of a deleted user. */
  Future<Void> deleteAllOf(String username) {
    return devices.listByUser(username).compose(list -> {
      Future<Void> chain = Future.succeededFuture();
      for (Device d : list) {
        chain = chain.compose(v -> delete(d));
      }
      return chain;
    });
  }

  void publish(Device d, DeviceEvent.Change change) {
    vertx.eventBus().publish(EventAddresses.DEVICE_CHANGED, new DeviceEvent(d.id(), d.username(), change, d.toJson(null)).toJson());
  }

  static String secret(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
