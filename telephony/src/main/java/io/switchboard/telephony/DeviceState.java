package io.switchboard.telephony;

/**
 * Asterisk's device states as {@code DeviceStateChange} names them ({@code enum ast_device_state},
 * {@code include/asterisk/devicestate.h}). Used only to cross-check what the channel events say.
 */
enum DeviceState {
  UNKNOWN, NOT_INUSE, INUSE, BUSY, INVALID, UNAVAILABLE, RINGING, RINGINUSE, ONHOLD;

  static DeviceState of(String name) {
    if (name != null) {
      try {
        return valueOf(name.trim());
      } catch (IllegalArgumentException e) {
        // A state added by a later Asterisk: no opinion.
      }
    }
    return UNKNOWN;
  }

  /** True when Asterisk says the device has a call, false when it says it has none, null for no opinion. */
  Boolean busy() {
    return switch (this) {
      case INUSE, BUSY, RINGING, RINGINUSE, ONHOLD -> Boolean.TRUE;
      case NOT_INUSE, UNAVAILABLE, INVALID -> Boolean.FALSE;
      case UNKNOWN -> null;
    };
  }
}
