package io.switchboard.telephony;

import io.switchboard.api.DeviceEvent;
import io.switchboard.api.EventAddresses;
import io.switchboard.api.UserEvent;
import io.switchboard.core.model.User;
import io.switchboard.core.model.Device;
import io.switchboard.core.store.DeviceStore;
import io.switchboard.core.store.UserStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whose phone an Asterisk endpoint is: the user of the provisioned device with that endpoint name,
 * else the user whose username (or extension) it is, for endpoints an operator configured in
 * Asterisk by hand, named by extension as is usual. All of it is held in memory, so that a burst of
 * call events never waits for the store: provisioned endpoints, then the user directory (username
 * and extension → username) are loaded in the background after start (100,000 devices took seconds
 * to read) and kept by the device and user events (each user event re-reads that one user; many at
 * once, as after a CSV import, re-read the whole directory in one read). Until each is loaded, look-ups
 * ask the store (by endpoint, then by username or extension). Used on the telephony context only.
 */
final class EndpointOwners {

  private static final Logger LOG = LoggerFactory.getLogger(EndpointOwners.class);
  /**
   * Past this many users waiting to be re-read, one read of the whole directory replaces a read each: a
   * 5,000-row import otherwise queued 5,000 store reads, one after the other, for a minute after it.
   */
  static final int REREAD_ALL_ABOVE = 50;

  private final Vertx vertx;
  private final UserStore users;
  private final DeviceStore devices;
  /** Provisioned endpoint → username, and device id → its endpoint (to forget a renamed or deleted one). */
  private final Map<String, String> provisioned = new HashMap<>();
  private final Map<String, String> endpointOfDevice = new HashMap<>();
  /** Provisioned endpoint → its device (id and kind), for the device in use. */
  private final Map<String, ProvisionedDevice> deviceOfEndpoint = new HashMap<>();
  /** Every user by username (value: their extension, or null), and extension → username. */
  private final Map<String, String> extensionOf = new HashMap<>();
  private final Map<String, String> byExtension = new HashMap<>();
  private final Promise<Void> directoryLoaded = Promise.promise();
  /** Users changed and not read again yet (also while the directory loads), in the order of their events. */
  private final Set<String> changed = new LinkedHashSet<>();
  private boolean rereading;
  private boolean provisionedLoaded;
  /** Devices changed while the provisioned endpoints were loading: their event is newer than the read. */
  private final Set<String> devicesChangedWhileLoading = new java.util.HashSet<>();

  private final Future<Void> loadAfter;

  EndpointOwners(Vertx vertx, UserStore users, DeviceStore devices) {
    this(vertx, users, devices, Future.succeededFuture());
  }

  /** @param loadAfter the background reads wait for it (the server: until it serves) */
  EndpointOwners(Vertx vertx, UserStore users, DeviceStore devices, Future<Void> loadAfter) {
    this.vertx = vertx;
    this.users = users;
    this.devices = devices;
    this.loadAfter = loadAfter;
  }

  /** Completes once listening to changes; the provisioned endpoints and the user directory follow in the background. */
  Future<Void> start() {
    var bus = vertx.eventBus();
    return bus.<JsonObject>consumer(EventAddresses.USER_CHANGED, m -> userChanged(UserEvent.fromJson(m.body()).username()))
        .completion()
        .compose(v -> bus.<JsonObject>consumer(EventAddresses.DEVICE_CHANGED, m -> deviceChanged(DeviceEvent.fromJson(m.body())))
            .completion())
        .onSuccess(v -> {
          io.vertx.core.Context context = vertx.getOrCreateContext();
          loadAfter.onComplete(x -> context.runOnContext(y -> loadProvisioned()));
        });
  }

  private void loadProvisioned() {
    devices.list().onSuccess(all -> {
      for (var d : all) {
        if (!devicesChangedWhileLoading.contains(d.id())) {
          remember(d.id(), d.endpoint(), d.username(), d.kind());
        }
      }
      provisionedLoaded = true;
      devicesChangedWhileLoading.clear();
      loadDirectory();
    }).onFailure(e -> {
      LOG.warn("Provisioned endpoints not loaded, retrying in 5 s [reason: {}]", e.getMessage());
      vertx.setTimer(5_000, t -> loadProvisioned());
    });
  }

  /** Completes once every provisioned endpoint and user is in memory (tests; look-ups work before, through the store). */
  Future<Void> directoryLoaded() {
    return directoryLoaded.future();
  }

  private void loadDirectory() {
    users.list().onSuccess(all -> {
      all.forEach(this::put);
      directoryLoaded.complete();
      LOG.info("Endpoint owners known [users: {}, provisioned endpoints: {}]", extensionOf.size(), provisioned.size());
      rereadChanged();
    }).onFailure(e -> {
      LOG.warn("User directory not loaded, retrying in 5 s [reason: {}]", e.getMessage());
      vertx.setTimer(5_000, t -> loadDirectory());
    });
  }

  /** The username owning {@code endpoint} (the part after {@code PJSIP/}), empty when nobody does. */
  Future<Optional<String>> owner(String endpoint) {
    String username = provisioned.get(endpoint);
    if (username != null) {
      return Future.succeededFuture(Optional.of(username));
    }
    if (!provisionedLoaded) {
      return devices.findByEndpoint(endpoint).compose(device -> device.isPresent()
          ? Future.succeededFuture(Optional.of(device.get().username()))
          : users.findByUsernameOrExtension(endpoint).map(user -> user.map(User::username)));
    }
    if (!directoryLoaded.future().isComplete()) {
      return users.findByUsernameOrExtension(endpoint).map(user -> user.map(User::username));
    }
    // As the store's look-up: a username first, then an extension.
    if (extensionOf.containsKey(endpoint)) {
      return Future.succeededFuture(Optional.of(endpoint));
    }
    return Future.succeededFuture(Optional.ofNullable(byExtension.get(endpoint)));
  }

  private void userChanged(String username) {
    changed.add(username);
    if (directoryLoaded.future().isComplete()) {
      rereadChanged();
    }
  }

  /**
   * Reads the changed users again: one read at a time, so that an older read never lands after a newer
   * one (users changed meanwhile wait for the next); one by one when they are few, else the whole
   * directory at once.
   */
  private void rereadChanged() {
    if (rereading || changed.isEmpty()) {
      return;
    }
    List<String> names = new ArrayList<>(changed);
    changed.clear();
    rereading = true;
    Future<Void> read = names.size() > REREAD_ALL_ABOVE ? rereadAll() : rereadEach(names);
    read.onFailure(e -> LOG.warn("Users not re-read, the directory may be stale [users: {}, first: {}, reason: {}]",
            names.size(), names.get(0), e.getMessage()))
        .onComplete(x -> {
          rereading = false;
          rereadChanged();
        });
  }

  private Future<Void> rereadAll() {
    return users.list().map(all -> {
      extensionOf.clear();
      byExtension.clear();
      all.forEach(this::put);
      return null;
    });
  }

  private Future<Void> rereadEach(List<String> names) {
    Future<Void> chain = Future.succeededFuture();
    for (String username : names) {
      chain = chain.compose(v -> users.find(username)).map(found -> {
        forget(username);
        found.ifPresent(this::put);
        return null;
      });
    }
    return chain;
  }

  private void put(User user) {
    forget(user.username());
    String extension = user.extension() == null || user.extension().isBlank() ? null : user.extension();
    extensionOf.put(user.username(), extension);
    if (extension != null) {
      byExtension.put(extension, user.username());
    }
  }

  private void forget(String username) {
    String extension = extensionOf.remove(username);
    if (extension != null) {
      byExtension.remove(extension, username);
    }
  }

  private void deviceChanged(DeviceEvent event) {
    if (!provisionedLoaded) {
      devicesChangedWhileLoading.add(event.id());
    }
    String before = endpointOfDevice.remove(event.id());
    if (before != null) {
      provisioned.remove(before);
      deviceOfEndpoint.remove(before);
    }
    if (event.change() != DeviceEvent.Change.DELETED) {
      remember(event.id(), event.device().getString("endpoint"), event.username(),
          Device.Kind.fromWire(event.device().getString("kind")));
    }
  }

  private void remember(String deviceId, String endpoint, String username, Device.Kind kind) {
    if (endpoint != null) {
      provisioned.put(endpoint, username);
      endpointOfDevice.put(deviceId, endpoint);
      deviceOfEndpoint.put(endpoint, new ProvisionedDevice(deviceId, kind == null ? Device.Kind.DESK_PHONE : kind));
    }
  }

  /** A provisioned device behind an endpoint. */
  record ProvisionedDevice(String id, Device.Kind kind) {
  }

  /**
   * The provisioned device behind an endpoint, once the provisioned endpoints are in; else an endpoint
   * configured by hand, counted as a desk phone named {@code endpoint:<name>}.
   */
  ProvisionedDevice deviceOf(String endpoint) {
    ProvisionedDevice d = deviceOfEndpoint.get(endpoint);
    return d != null ? d : new ProvisionedDevice("endpoint:" + endpoint, Device.Kind.DESK_PHONE);
  }
}
