package io.switchboard.api.presence;

import io.switchboard.api.BusPayload;
import io.vertx.core.json.JsonObject;

/**
 * What a watcher may now see of a presentity changed (already filtered by the presentity's rules).
 * Published on {@link io.switchboard.api.EventAddresses#PRESENCE_UPDATE}.
 */
public record PresenceUpdate(String watcher, String presentity, PresenceStatus presence) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("watcher", watcher).put("presentity", presentity).put("presence", presence.toJson());
  }

  public static PresenceUpdate fromJson(JsonObject json) {
    return new PresenceUpdate(json.getString("watcher"), json.getString("presentity"),
        PresenceStatus.fromJson(json.getJsonObject("presence")));
  }
}
