package io.switchboard.api;

import io.vertx.core.json.JsonObject;

/**
 * A message to send on a user's behalf (from the web console): it takes the same path as a SIP
 * MESSAGE. Request on {@link EventAddresses#IM_SEND}; reply {@link ImMessage}.
 *
 * @param from who sends it
 * @param to a username, an extension, or {@code room-<name>}
 */
public record ImSend(Caller from, String to, String body) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("from", from.toJson()).put("to", to).put("body", body);
  }

  public static ImSend fromJson(JsonObject json) {
    return new ImSend(Caller.fromJson(json.getJsonObject("from")), json.getString("to"), json.getString("body"));
  }
}
