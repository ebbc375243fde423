package io.switchboard.im;

import io.switchboard.core.model.Device;
import io.switchboard.core.sip.Binding;
import java.util.List;

/**
 * A registered device as IM sees it: where it is (the binding) and what it shows. For a binding a
 * provisioned device registered (with its own credentials) that is the device's {@link Device.Profile}
 * (accepted types, longest message), which overrides what the REGISTER's Accept said; for any
 * other binding, the REGISTER's Accept and no length limit.
 *
 * @param accept content types it shows; empty = text/plain only
 * @param maxMessageLength the longest text it shows, in characters; longer text is cut short
 */
record DeviceView(Binding binding, List<String> accept, int maxMessageLength) {

  static final int NO_LIMIT = Integer.MAX_VALUE;

  DeviceView {
    accept = List.copyOf(accept);
  }

  /** What the REGISTER said: its Accept, no limit. */
  static DeviceView asRegistered(Binding b) {
    return new DeviceView(b, b.accept(), NO_LIMIT);
  }

  /** What the provisioned device's profile says. */
  static DeviceView asProvisioned(Binding b, Device.Profile p) {
    return new DeviceView(b, p.accept(), p.maxMessageLength());
  }
}
