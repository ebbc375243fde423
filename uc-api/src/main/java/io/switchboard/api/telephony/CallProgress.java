package io.switchboard.api.telephony;

import io.switchboard.api.BusPayload;
import io.vertx.core.json.JsonObject;

/**
 * Whether a click-to-call's first leg (the user's own phone) was answered. Published on
 * {@link io.switchboard.api.EventAddresses#CALL_PROGRESS}.
 *
 * @param outcome answered, no-answer, busy or failed
 * @param reason Asterisk's originate reason code, or null
 */
public record CallProgress(String id, String user, String to, String outcome, Integer reason) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("user", user).put("to", to).put("outcome", outcome).put("reason", reason);
  }

  public static CallProgress fromJson(JsonObject json) {
    return new CallProgress(json.getString("id"), json.getString("user"), json.getString("to"),
        json.getString("outcome"), json.getInteger("reason"));
  }
}
