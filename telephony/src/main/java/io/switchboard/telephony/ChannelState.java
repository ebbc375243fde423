package io.switchboard.telephony;

import io.switchboard.api.CallStateEvent.State;

/**
 * Asterisk's channel states, {@code enum ast_channel_state} in {@code include/asterisk/channelstate.h},
 * as AMI reports them in {@code ChannelState:}. Each maps to what the state means for the person on
 * that channel. Observed in the recordings: a caller's leg is created in 4 Ring; a callee's leg is
 * created 0 Down and goes 5 Ringing while the phone rings; both legs go 6 Up when answered.
 */
enum ChannelState {
  DOWN(0, State.IDLE),               // created, nothing signalled yet (a callee leg rings a moment later)
  RESERVED(1, State.IDLE),
  OFF_HOOK(2, State.DIALING),
  DIALING(3, State.DIALING),
  RING(4, State.DIALING),            // the caller's leg: hearing ringback while the far end rings
  RINGING(5, State.RINGING),         // the callee's leg: this phone is ringing
  UP(6, State.IN_CALL),
  BUSY(7, State.DIALING),            // the caller hears busy: still on the phone
  DIALING_OFF_HOOK(8, State.DIALING),
  PRE_RING(9, State.RINGING);

  private final int code;
  private final State meaning;

  ChannelState(int code, State meaning) {
    this.code = code;
    this.meaning = meaning;
  }

  /** What a channel in this state means for its device, before hold is considered. */
  State meaning() {
    return meaning;
  }

  /** Unknown or absent codes count as DOWN: they signal no call activity we can name. */
  static ChannelState of(Integer code) {
    if (code != null) {
      for (ChannelState s : values()) {
        if (s.code == code) {
          return s;
        }
      }
    }
    return DOWN;
  }
}
