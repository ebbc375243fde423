package io.switchboard.presence;

import io.switchboard.api.CallStateEvent;
import java.time.Instant;

/**
 * Composes one presence from everything Switchboard knows of a user. Precedence, first match wins:
 *
 * <ol>
 *   <li>no registered device, no open publication and no call: OFFLINE (a manual state does not make
 *       anyone reachable);</li>
 *   <li>manual DND: DND, whatever else happens (the user asked not to be disturbed);</li>
 *   <li>in a call or holding one: ON_THE_PHONE; ringing: RINGING; dialling counts as on the phone;</li>
 *   <li>manual AWAY, BUSY or AVAILABLE: that, with its note (the person beats their devices);</li>
 *   <li>what a device published (PUBLISH, read by {@link Pidf#parse}): that, with its note, closed ones
 *       too: a device that publishes offline ("appear offline") while registered is offline, one that
 *       publishes do-not-disturb is that;</li>
 *   <li>otherwise AVAILABLE.</li>
 * </ol>
 *
 * So do-not-disturb beats on-the-phone beats away beats available. A manual state past its end
 * counts as none. Pure: no I/O, unit-tested.
 */
public final class Composer {

  private Composer() {
  }

  public static PresenceView compose(boolean registered, ManualState manual, CallStateEvent.State call, Instant now) {
    return compose(registered, manual, call, null, now);
  }

  /** @param published the latest state a device published, or null */
  public static PresenceView compose(boolean registered, ManualState manual, CallStateEvent.State call,
      PresenceView published, Instant now) {
    ManualState m = manual != null && manual.activeAt(now) ? manual : null;
    boolean onCall = call != null && call != CallStateEvent.State.IDLE;
    boolean publishedOpen = published != null && published.open();
    if (!registered && !onCall && !publishedOpen) {
      return PresenceView.OFFLINE;
    }
    if (m != null && m.state() == PresenceState.DND) {
      return new PresenceView(PresenceState.DND, m.note() != null ? m.note() : "Do not disturb");
    }
    if (onCall) {
      return call == CallStateEvent.State.RINGING ? new PresenceView(PresenceState.RINGING, "Ringing")
          : new PresenceView(PresenceState.ON_THE_PHONE, "On the phone");
    }
    if (m != null) {
      return new PresenceView(m.state(), m.note());
    }
    if (published != null) {
      return published; // a registered user's own closed publication counts too (RFC 4479: the person said so)
    }
    return new PresenceView(PresenceState.AVAILABLE, null);
  }
}
