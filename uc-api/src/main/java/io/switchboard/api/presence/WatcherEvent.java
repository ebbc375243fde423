package io.switchboard.api.presence;

import io.switchboard.api.BusPayload;
import io.vertx.core.json.JsonObject;

/**
 * A watcher subscribed, was put on hold for confirmation, or went. Published on
 * {@link io.switchboard.api.EventAddresses#PRESENCE_WATCHER}.
 *
 * @param state active, pending or terminated
 */
public record WatcherEvent(String presentity, String watcher, String state) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("presentity", presentity).put("watcher", watcher).put("state", state);
  }

  public static WatcherEvent fromJson(JsonObject json) {
    return new WatcherEvent(json.getString("presentity"), json.getString("watcher"), json.getString("state"));
  }
}
