package io.switchboard.api.presence;

import io.switchboard.api.BusPayload;
import io.vertx.core.json.JsonObject;

/** A presentity's presence, named: the reply of {@link PresenceQuery}. */
public record PresenceOf(String username, PresenceStatus presence) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("username", username).put("presence", presence.toJson());
  }

  public static PresenceOf fromJson(JsonObject json) {
    return new PresenceOf(json.getString("username"), PresenceStatus.fromJson(json.getJsonObject("presence")));
  }
}
