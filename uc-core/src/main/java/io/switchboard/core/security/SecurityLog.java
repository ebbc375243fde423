package io.switchboard.core.security;

import io.switchboard.api.EventAddresses;
import io.switchboard.api.SecurityEvent;
import io.vertx.core.Vertx;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way to report a security event: a line on the {@code switchboard.security} logger (so an
 * operator can route it to its own file or to syslog for fail2ban) and an event on
 * {@link EventAddresses#SECURITY_EVENT}. Callers pass no secret; this class adds none.
 */
public final class SecurityLog {

  private static final Logger LOG = LoggerFactory.getLogger("switchboard.security");

  private final Vertx vertx;
  private final Clock clock;

  public SecurityLog(Vertx vertx, Clock clock) {
    this.vertx = vertx;
    this.clock = clock;
  }

  public void record(SecurityEvent.Kind kind, String who, String source, String detail) {
    SecurityEvent event = new SecurityEvent(kind, who, source, detail, clock.millis());
    LOG.warn("{} [who: {}, from: {}] {}", kind, who, source, detail == null ? "" : detail);
    vertx.eventBus().publish(EventAddresses.SECURITY_EVENT, event.toJson());
  }
}
