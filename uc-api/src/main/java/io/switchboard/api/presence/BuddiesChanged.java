package io.switchboard.api.presence;

import io.switchboard.api.BusPayload;
import io.vertx.core.json.JsonObject;

/** A user's buddy list changed. Published on {@link io.switchboard.api.EventAddresses#BUDDIES_CHANGED}. */
public record BuddiesChanged(String user) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("user", user);
  }

  public static BuddiesChanged fromJson(JsonObject json) {
    return new BuddiesChanged(json.getString("user"));
  }
}
