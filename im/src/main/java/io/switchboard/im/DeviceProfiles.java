package io.switchboard.im;

import io.switchboard.core.sip.Binding;
import io.switchboard.core.store.DeviceStore;
import io.vertx.core.Future;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves what each registered device shows ({@link DeviceView}): the profile of the provisioned
 * device a binding belongs to, read through the (caching) device store, else the REGISTER's Accept.
 * A device deleted since it registered, or a store that cannot be read, falls back to the REGISTER.
 */
final class DeviceProfiles {

  private static final Logger LOG = LoggerFactory.getLogger(DeviceProfiles.class);

  private final DeviceStore devices;

  DeviceProfiles(DeviceStore devices) {
    this.devices = devices;
  }

  Future<DeviceView> view(Binding b) {
    if (b.device() == null) {
      return Future.succeededFuture(DeviceView.asRegistered(b));
    }
    return devices.find(b.device())
        .map(found -> found.map(d -> DeviceView.asProvisioned(b, d.profile())).orElseGet(() -> DeviceView.asRegistered(b)))
        .recover(e -> {
          LOG.debug("device profile unavailable, using the REGISTER's Accept [device: {}, reason: {}]", b.device(),
              e.getMessage());
          return Future.succeededFuture(DeviceView.asRegistered(b));
        });
  }

  Future<List<DeviceView>> views(List<Binding> bindings) {
    List<Future<DeviceView>> each = bindings.stream().map(this::view).toList();
    return Future.all(each).map(all -> each.stream().map(Future::result).toList());
  }
}
