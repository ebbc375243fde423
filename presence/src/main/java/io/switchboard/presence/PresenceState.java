package io.switchboard.presence;

import java.util.Locale;

/**
 * What buddies see, from the most to the least telling. The order of composition is written down in
 * {@link Composer}; the wire names are those of the API and the console.
 */
public enum PresenceState {
  AVAILABLE, AWAY, BUSY, DND, ON_THE_PHONE, RINGING, OFFLINE,
  /** In a room's conference call (telephony's ConfBridge): RPID activity {@code meeting}. */
  IN_MEETING;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The states a user may set by hand: available, away, busy, dnd; null for anything else. */
  public static PresenceState manual(String wire) {
    for (PresenceState s : new PresenceState[] {AVAILABLE, AWAY, BUSY, DND}) {
      if (s.wireName().equals(wire)) {
        return s;
      }
    }
    return null;
  }

  public static PresenceState fromWire(String wire) {
    for (PresenceState s : values()) {
      if (s.wireName().equals(wire)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown presence state " + wire);
  }
}
