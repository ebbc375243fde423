package io.switchboard.api;

import io.vertx.core.json.JsonObject;

/**
 * A user's first web console opened ({@code online}), or their last one closed a grace period ago.
 * Published on {@link EventAddresses#CONSOLE_PRESENCE}.
 */
public record ConsolePresence(String username, boolean online) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("username", username).put("online", online);
  }

  public static ConsolePresence fromJson(JsonObject json) {
    return new ConsolePresence(json.getString("username"), json.getBoolean("online", false));
  }
}
