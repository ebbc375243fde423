package io.switchboard.api.presence;

import io.switchboard.api.BusPayload;
import io.vertx.core.json.JsonObject;

/**
 * One presentity's presence as one watcher may see it (the model of the presence replies).
 *
 * @param state available, away, busy, dnd, on-the-phone or offline
 * @param note free text, or null
 * @param device the class of the device in use (desk-phone, mobile, softphone, web), or null when
 *     unknown; absent from the JSON then
 */
public record PresenceStatus(String state, String note, String device) implements BusPayload {

  public PresenceStatus(String state, String note) {
    this(state, note, null);
  }

  @Override
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("state", state).put("note", note);
    return device == null ? json : json.put("device", device);
  }

  public static PresenceStatus fromJson(JsonObject json) {
    return new PresenceStatus(json.getString("state"), json.getString("note"), json.getString("device"));
  }
}
