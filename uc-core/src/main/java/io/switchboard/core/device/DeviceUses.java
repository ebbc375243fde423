package io.switchboard.core.device;

import io.switchboard.api.EventAddresses;
import io.switchboard.api.presence.DeviceUsed;
import io.switchboard.core.model.Device;
import io.switchboard.core.sip.Binding;
import io.switchboard.core.store.DeviceStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports a use of a device ({@link DeviceUsed} on {@link EventAddresses#DEVICE_USED}, published on the
 * whole bus) and knows what identifies a registered device and its class. Any context; the look-up of
 * a provisioned device's kind goes through the (caching) device store and never delays the request
 * that was the use.
 */
public final class DeviceUses {

  private static final Logger LOG = LoggerFactory.getLogger(DeviceUses.class);

  /** The device id of the web console (one per user: the console's focus). */
  public static final String CONSOLE = "console";
  /**
   * A registered device's uses are reported at most once per this many milliseconds: a message per
   * second from one phone is not an event per second on the cluster's bus. A use reported late by this
   * much never changes the device in use but between two portable devices (a desk phone's use within
   * the window decides anyway).
   */
  static final long REPORT_EVERY_MILLIS = 30_000;

  private final Vertx vertx;
  /** Null where nothing is provisioned: the User-Agent decides. */
  private final DeviceStore devices;
  private final Clock clock;
  /** Per user and device, when a use was last reported from here. */
  private final java.util.Map<String, Long> reported = new java.util.concurrent.ConcurrentHashMap<>();

  public DeviceUses(Vertx vertx, DeviceStore devices, Clock clock) {
    this.vertx = vertx;
    this.devices = devices;
    this.clock = clock;
  }

  /** What identifies a registered device: its provisioned id when its own credentials registered it, else its key. */
  public static String idOf(Binding b) {
    return b.device() != null ? b.device() : b.key();
  }

  /**
   * The binding a request came from: the one registered from the same source (host:port), else the one
   * whose contact is the request's Contact.
   */
  public static Optional<Binding> sending(List<Binding> bindings, String source, String contact) {
    // Loops, not streams: asked for every MESSAGE and PUBLISH.
    for (Binding b : bindings) {
      if (source.equals(b.source())) {
        return Optional.of(b);
      }
    }
    if (contact != null) {
      for (Binding b : bindings) {
        if (contact.equals(b.contact())) {
          return Optional.of(b);
        }
      }
    }
    return Optional.empty();
  }

  /** The class of a registered device: its provisioned kind, else its User-Agent's. */
  public Future<Device.Kind> kindOf(Binding b) {
    if (b.device() == null || devices == null) {
      return Future.succeededFuture(DeviceClass.fromUserAgent(b.userAgent()));
    }
    return devices.find(b.device()).map(found -> DeviceClass.of(found.map(Device::kind).orElse(null), b.userAgent()))
        .recover(e -> {
          LOG.debug("device kind unavailable, the User-Agent decides [device: {}, reason: {}]", b.device(),
              e.getMessage());
          return Future.succeededFuture(DeviceClass.fromUserAgent(b.userAgent()));
        });
  }

  /**
   * The user used the device a request came from ({@code how}: message, publish), found among their
   * bindings by {@link #sending}; nothing when it is not one of them (an unregistered client).
   */
  public void usedFrom(List<Binding> bindings, String source, String contact, String how) {
    sending(bindings, source, contact).ifPresent(b -> used(b, how));
  }

  /** The user used this registered device ({@code how}: message, publish). */
  public void used(Binding b, String how) {
    long at = clock.millis();
    String key = b.username() + '\n' + idOf(b);
    Long last = reported.get(key);
    if (last != null && at - last < REPORT_EVERY_MILLIS && at >= last) {
      return;
    }
    reported.put(key, at);
    kindOf(b).onSuccess(kind -> publish(new DeviceUsed(b.username(), idOf(b), kind.wireName(), how, at)));
  }

  /** The user used this device (a call on a provisioned endpoint, the console's focus). */
  public void used(String username, String device, Device.Kind kind, String how) {
    publish(new DeviceUsed(username, device, kind.wireName(), how, clock.millis()));
  }

  private void publish(DeviceUsed used) {
    LOG.debug("device used [user: {}, device: {}, kind: {}, how: {}]", used.username(), used.device(), used.kind(),
        used.how());
    vertx.eventBus().publish(EventAddresses.DEVICE_USED, used.toJson());
  }
}
