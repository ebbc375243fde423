package io.switchboard.api.presence;

import io.switchboard.api.BusPayload;
import io.switchboard.api.Caller;
import io.vertx.core.json.JsonObject;

/**
 * The caller's own manual state. Request on {@link io.switchboard.api.EventAddresses#PRESENCE_SET};
 * reply the caller's {@link PresenceStatus}. Checked by presence (400 naming the field).
 *
 * @param state available, away, busy or dnd
 * @param note free text, or null
 * @param until an ISO-8601 instant as given, or null for no end
 */
public record PresenceSet(Caller caller, String state, String note, String until) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("caller", caller.toJson()).put("state", state).put("note", note).put("until", until);
  }

  public static PresenceSet fromJson(JsonObject json) {
    return new PresenceSet(Caller.fromJson(json.getJsonObject("caller")), json.getString("state"),
        json.getString("note"), json.getString("until"));
  }
}
