package io.switchboard.presence;

import io.switchboard.core.sip.Binding;
import io.switchboard.core.sip.LocationService;
import io.switchboard.core.store.DeviceStore;
import io.vertx.core.Future;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What provisioning knows of a subscribing phone: when the SUBSCRIBE comes from where a provisioned
 * device registered (the same source address and port), the presence formats its profile lists
 * ({@code Device.Profile#accept}), which then choose the format instead of the SUBSCRIBE's Accept.
 * Provisioning knows better than firmware that lists what it cannot show.
 */
final class WatcherDevices {

  private static final Logger LOG = LoggerFactory.getLogger(WatcherDevices.class);
  private static final List<String> PRESENCE_TYPES = List.of("application/pidf+xml", "application/xpidf+xml",
      "application/cpim-pidf+xml");

  private final LocationService location;
  /** Null where no devices are provisioned (tests of presence alone): the Accept decides. */
  private final DeviceStore devices;

  WatcherDevices(LocationService location, DeviceStore devices) {
    this.location = location;
    this.devices = devices;
  }

  /**
   * @param source host:port the SUBSCRIBE came from
   * @return the presence types the watcher's device profile lists, in its order; empty when none is known
   */
  Future<List<String>> presenceTypes(String watcher, String source) {
    if (devices == null) {
      return Future.succeededFuture(List.of());
    }
    String device = location.bindings(watcher).stream().filter(b -> source.equals(b.source()) && b.device() != null)
        .map(Binding::device).findFirst().orElse(null);
    if (device == null) {
      return Future.succeededFuture(List.of());
    }
    return devices.find(device)
        .map(found -> found.map(d -> d.profile().accept().stream().filter(PRESENCE_TYPES::contains).toList())
            .orElse(List.of()))
        .recover(e -> {
          LOG.debug("device profile unavailable, the SUBSCRIBE's Accept decides [device: {}, reason: {}]", device,
              e.getMessage());
          return Future.succeededFuture(List.of());
        });
  }
}
