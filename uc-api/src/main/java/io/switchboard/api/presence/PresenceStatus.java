package io.switchboard.api.presence;

import io.switchboard.api.BusPayload;
import io.vertx.core.json.JsonObject;

/**
 * One presentity's presence as one watcher may see it (the model of the presence replies).
 *
 * @param state available, away, busy, dnd, on-the-phone or offline
 * @param note free text, or null
 */
public record PresenceStatus(String state, String note) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("state", state).put("note", note);
  }

  public static PresenceStatus fromJson(JsonObject json) {
    return new PresenceStatus(json.getString("state"), json.getString("note"));
  }
}
