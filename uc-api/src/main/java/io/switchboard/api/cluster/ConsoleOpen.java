package io.switchboard.api.cluster;

import io.switchboard.api.BusPayload;
import io.vertx.core.json.JsonObject;

/**
 * Is a console of {@code username}'s open on another node? Sent to
 * {@link io.switchboard.api.EventAddresses#CONSOLE_OPEN} + username; any answer
 * ({@link io.switchboard.api.NoContent}) means yes.
 */
public record ConsoleOpen(String username) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("username", username);
  }

  public static ConsoleOpen fromJson(JsonObject json) {
    return new ConsoleOpen(json.getString("username"));
  }
}
