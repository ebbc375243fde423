package io.switchboard.api.presence;

import io.switchboard.api.BusPayload;
import io.vertx.core.json.JsonObject;

/**
 * Who may see a user's presence (RFC 5025's idea, simplified).
 *
 * @param watcher a username, or {@code *} for everyone else
 * @param action allow, block, polite-block or confirm (checked by presence)
 */
public record WatcherRule(String watcher, String action) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("watcher", watcher).put("action", action);
  }

  public static WatcherRule fromJson(JsonObject json) {
    return new WatcherRule(json.getString("watcher"), json.getString("action"));
  }
}
