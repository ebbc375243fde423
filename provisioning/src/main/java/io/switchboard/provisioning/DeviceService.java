package io.switchboard.provisioning;

import io.switchboard.api.DeviceEvent;
import io.switchboard.api.EventAddresses;
import io.switchboard.core.model.Device;
import io.switchboard.core.model.User;
import io.switchboard.core.store.DeviceStore;
import io.switchboard.core.store.UserStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
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

  private io.vertx.core.eventbus.MessageConsumer<JsonObject> consumer;
  private final Vertx vertx;
  private final DeviceStore devices;
  private final UserStore users;
  private final ProvisioningUrls urls;

  public DeviceService(Vertx vertx, DeviceStore devices, UserStore users, ProvisioningUrls urls) {
    this.vertx = vertx;
    this.devices = devices;
    this.users = users;
    this.urls = urls;
  }

  Future<Void> start() {
    consumer = vertx.eventBus().consumer(EventAddresses.DEVICES, this::request);
    return consumer.completion();
  }

  Future<Void> stop() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  DeviceStore store() {
    return devices;
  }

  private void request(Message<JsonObject> msg) {
    JsonObject q = msg.body();
    Future<?> answer;
    try {
      answer = switch (q.getString("op", "")) {
        case "list" -> user(q.getString("user")).compose(u -> devices.listByUser(u.username()))
            .map(list -> {
              JsonArray out = new JsonArray();
              list.forEach(d -> out.add(json(d)));
              return new JsonObject().put("devices", out);
            });
        case "get" -> device(q.getString("id")).map(this::json);
        case "create" -> create(q.getString("user"), q.getJsonObject("device")).map(this::json);
        case "patch" -> patch(q.getString("id"), q.getJsonObject("device")).map(this::json);
        case "delete" -> device(q.getString("id")).compose(this::delete).map(v -> new JsonObject());
        default -> Future.failedFuture(new Failure(400, "op: list, get, create, patch or delete"));
      };
    } catch (RuntimeException e) {
      answer = Future.failedFuture(e);
    }
    Failure.answer(msg, answer);
  }

  /** The public view with the provisioning URL. */
  JsonObject json(Device d) {
    return d.toJson(urls.forDevice(d));
  }

  private Future<User> user(String username) {
    return users.find(username == null ? "" : username).compose(found -> found.map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(new Failure(404, "username: no user " + username))));
  }

  private Future<Device> device(String id) {
    return devices.find(id == null ? "" : id).compose(found -> found.map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(new Failure(404, "id: no device " + id))));
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
