package io.switchboard.api.telephony;

import io.switchboard.api.BusPayload;
import io.vertx.core.json.JsonObject;

/**
 * Asterisk queued the click-to-call: the reply of {@link Originate}. Its outcome follows as a
 * {@link CallProgress} with the same id.
 *
 * @param from the endpoint rung first (the caller's phone)
 * @param to the extension or number rung next
 * @param autoAnswer whether the caller's phone was asked to answer by itself
 * @param state always {@code queued}
 */
public record OriginateQueued(String id, String from, String to, boolean autoAnswer, String state)
    implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("from", from).put("to", to).put("autoAnswer", autoAnswer)
        .put("state", state);
  }

  public static OriginateQueued fromJson(JsonObject json) {
    return new OriginateQueued(json.getString("id"), json.getString("from"), json.getString("to"),
        json.getBoolean("autoAnswer", false), json.getString("state"));
  }
}
