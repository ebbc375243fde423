package io.switchboard.api;

import io.vertx.core.json.JsonObject;

/**
 * A message to send on a user's behalf (from the web console): it takes the same path as a SIP
 * MESSAGE. Request on {@link EventAddresses#IM_SEND}.
 *
 * @param to a username, an extension, or {@code room-<name>}
 */
public record ImSend(String from, String to, String body) {

  public JsonObject toJson() {
    return new JsonObject().put("from", from).put("to", to).put("body", body);
  }

  public static ImSend fromJson(JsonObject json) {
    return new ImSend(json.getString("from"), json.getString("to"), json.getString("body"));
  }
}
