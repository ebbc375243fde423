package io.switchboard.provisioning;

import io.switchboard.api.provisioning.CheckSyncEvent;
import io.switchboard.api.presence.BuddiesChanged;
import io.switchboard.api.DeviceEvent;
import io.switchboard.api.EventAddresses;
import io.switchboard.api.UserEvent;
import io.switchboard.core.model.Device;
import io.switchboard.core.sip.Binding;
import io.switchboard.core.sip.LocationService;
import io.switchboard.core.sip.SipEdge;
import io.switchboard.core.store.DeviceStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.text.ParseException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sip.InvalidArgumentException;
import javax.sip.address.Address;
import javax.sip.message.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a user's desk phones to fetch their files again after a change that alters them: the user
 * ({@code USER_CHANGED}), their devices ({@code DEVICE_CHANGED}) or their buddies
 * ({@code BUDDIES_CHANGED}, the BLF keys). An out-of-dialog SIP NOTIFY with the vendor's event
 * ({@link Vendor#checkSyncEvent()}: {@code check-sync;reboot=false}, Cisco {@code resync}) goes to every
 * contact a provisioned desk phone registered at Switchboard with its own credentials (its IM
 * account), the way IM reaches it (NAT included). Changes to one user within {@link #DELAY_MILLIS}
 * make one NOTIFY per phone; each run is announced on {@link EventAddresses#CHECK_SYNC} (with the user's
 * desk phones, or none when nothing of the user's is registered: then the store is not asked). Runs on the
 * context that {@link #start()} is called on.
 */
final class CheckSync {

  private static final Logger LOG = LoggerFactory.getLogger(CheckSync.class);
  /** A bulk change (an import, a list of buddies) is folded into one NOTIFY this long after its first event. */
  static final long DELAY_MILLIS = 2_000;

  private final Vertx vertx;
  private final SipEdge edge;
  private final LocationService location;
  private final DeviceStore devices;
  private final String domain;
  private final io.switchboard.api.BusConsumers consumers;
  private final Set<String> due = new HashSet<>();

  CheckSync(Vertx vertx, SipEdge edge, LocationService location, DeviceStore devices, String domain) {
    this.vertx = vertx;
    this.edge = edge;
    this.location = location;
    this.devices = devices;
    this.domain = domain;
    this.consumers = new io.switchboard.api.BusConsumers(vertx);
  }

  Future<Void> start() {
    return Future.all(
        consumers.<JsonObject>consumer(EventAddresses.USER_CHANGED, m -> changed(UserEvent.fromJson(m.body()).username())),
        consumers.<JsonObject>consumer(EventAddresses.DEVICE_CHANGED, m -> changed(DeviceEvent.fromJson(m.body()).username())),
        consumers.<JsonObject>consumer(EventAddresses.BUDDIES_CHANGED, m -> changed(BuddiesChanged.fromJson(m.body()).user())))
        .mapEmpty();
  }

  Future<Void> stop() {
    return consumers.unregisterAll();
  }

  /** Something of {@code username}'s changed: their phones hear of it once, after the delay. */
  void changed(String username) {
    if (username != null && due.add(username)) {
      vertx.setTimer(DELAY_MILLIS, id -> {
        due.remove(username);
        notifyPhones(username);
      });
    }
  }

  private void notifyPhones(String username) {
    location.loaded(username).onSuccess(v -> notifyPhones(username, location.bindings(username)))
        .onFailure(e -> LOG.warn("check-sync not sent [user: {}, reason: {}]", username, e.getMessage()));
  }

  private void notifyPhones(String username, List<Binding> bindings) {
    // Nothing registered, nobody to tell: no store look-up (a user's devices are a scan on the embedded
    // store, and a 5,000-user import makes 5,000 of these runs).
    Future<List<Device>> mine = bindings.isEmpty() ? Future.succeededFuture(List.of()) : devices.listByUser(username);
    mine.onSuccess(list -> {
      Map<String, String> eventByDevice = new HashMap<>();
      for (Device d : list) {
        if (d.kind() == Device.Kind.DESK_PHONE) {
          Vendor.fromWire(d.vendor()).ifPresent(v -> eventByDevice.put(d.id(), v.checkSyncEvent()));
        }
      }
      int notified = 0;
      for (Binding b : bindings) {
        String event = b.device() == null ? null : eventByDevice.get(b.device());
        if (event != null) {
          send(username, b, event);
          notified++;
        }
      }
      vertx.eventBus().publish(EventAddresses.CHECK_SYNC,
          new CheckSyncEvent(username, List.copyOf(eventByDevice.keySet()), notified).toJson());
    }).onFailure(e -> LOG.warn("check-sync not sent [user: {}, reason: {}]", username, e.getMessage()));
  }

  private void send(String username, Binding b, String event) {
    Request notify;
    try {
      var f = edge.factories();
      Address from = f.addresses().createAddress(f.addresses().createSipURI(null, domain));
      Address to = f.addresses().createAddress(f.addresses().createSipURI(username, domain));
      notify = edge.requestToDevice(Request.NOTIFY, b, from, to);
      notify.addHeader(f.headers().createHeader("Event", event));
      notify.addHeader(f.headers().createSubscriptionStateHeader("terminated"));
    } catch (ParseException | InvalidArgumentException e) {
      LOG.warn("check-sync not built [user: {}, contact: {}, reason: {}]", username, b.contact(), e.getMessage());
      return;
    }
    edge.start(notify, b).answer().onComplete(r -> { // in a cluster, from the node holding the device's flow
      if (r.succeeded() && r.result().getStatusCode() < 300) {
        LOG.info("check-sync sent [user: {}, device: {}, event: {}, contact: {}]", username, b.device(), event,
            b.contact());
      } else {
        LOG.info("check-sync not taken [user: {}, device: {}, contact: {}]: {}", username, b.device(), b.contact(),
            r.succeeded() ? r.result().getStatusCode() : r.cause().getMessage());
      }
    });
  }
}
