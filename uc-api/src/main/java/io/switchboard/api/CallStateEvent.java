package io.switchboard.api;

import io.vertx.core.json.JsonObject;

/**
 * A user's telephone state, as telephony resolves it from Asterisk (the busiest of their devices).
 * Published on {@link EventAddresses#CALL_STATE}.
 *
 * @param peer the other party's name or number when Asterisk says it, else null
 */
public record CallStateEvent(String username, State state, String peer) implements BusPayload {

  /** Device state as a BLF key shows it. */
  public enum State { IDLE, RINGING, DIALING, IN_CALL, ON_HOLD }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("username", username).put("state", state.name()).put("peer", peer);
  }

  public static CallStateEvent fromJson(JsonObject json) {
    return new CallStateEvent(json.getString("username"), State.valueOf(json.getString("state")), json.getString("peer"));
  }
}
