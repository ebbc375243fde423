package io.switchboard.core.sip;

import io.switchboard.api.RegistrationEvent;
import io.switchboard.api.cluster.BindingChanged;
import java.time.Instant;

/** A binding change as the bus record {@link BindingChanged} and back. Pure. */
final class ClusterBindings {

  private ClusterBindings() {
  }

  static BindingChanged changed(Binding b, RegistrationEvent.Change change, String from) {
    return new BindingChanged(from, change, new BindingChanged.Binding(b.username(), b.key(), b.contact(),
        b.expiresAt().toEpochMilli(), b.callId(), b.cseq(), b.q(), b.userAgent(), b.accept(), b.transport(),
        b.source(), b.device(), b.node()));
  }

  static Binding binding(BindingChanged.Binding b) {
    return new Binding(b.username(), b.key(), b.contact(), Instant.ofEpochMilli(b.expiresAtMillis()), b.callId(),
        b.cseq(), b.q(), b.userAgent(), b.accept(), b.transport(), b.source(), b.device(), b.node());
  }
}
