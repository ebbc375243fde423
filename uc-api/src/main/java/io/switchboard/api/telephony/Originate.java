package io.switchboard.api.telephony;

import io.switchboard.api.BusPayload;
import io.switchboard.api.Caller;
import io.vertx.core.json.JsonObject;

/**
 * Click-to-call: Asterisk rings the caller's phone, then {@code to}. Request on
 * {@link io.switchboard.api.EventAddresses#CALL_ORIGINATE}; reply {@link OriginateQueued}. Failures
 * 404 unknown target or device, 409 the caller has no phone, 503 no Asterisk link.
 *
 * @param to a username, an extension or a number
 * @param device the id of one of the caller's phones, or null for their primary phone
 */
public record Originate(Caller caller, String to, String device) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("caller", caller.toJson()).put("to", to).put("device", device);
  }

  public static Originate fromJson(JsonObject json) {
    return new Originate(Caller.fromJson(json.getJsonObject("caller")), json.getString("to"), json.getString("device"));
  }
}
