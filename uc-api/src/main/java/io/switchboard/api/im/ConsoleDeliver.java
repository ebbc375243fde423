package io.switchboard.api.im;

import io.switchboard.api.BusPayload;
import io.switchboard.api.ImMessage;
import io.vertx.core.json.JsonObject;

/**
 * A message for a user's open consoles. Request on {@code CONSOLE_DELIVER + username}; reply
 * {@link io.switchboard.api.NoContent} once it was written to at least one of them.
 */
public record ConsoleDeliver(ImMessage message) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("message", message.toJson());
  }

  public static ConsoleDeliver fromJson(JsonObject json) {
    return new ConsoleDeliver(ImMessage.fromJson(json.getJsonObject("message")));
  }
}
