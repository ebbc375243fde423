package io.switchboard.api.telephony;

import io.switchboard.api.BusPayload;
import io.vertx.core.json.JsonObject;

/**
 * A room's conference now. Request on {@link io.switchboard.api.EventAddresses#CONFERENCE_GET}; reply
 * {@link ConferenceState} (inactive when there is none). The sender has checked membership.
 */
public record ConferenceQuery(String room) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("room", room);
  }

  public static ConferenceQuery fromJson(JsonObject json) {
    return new ConferenceQuery(json.getString("room"));
  }
}
