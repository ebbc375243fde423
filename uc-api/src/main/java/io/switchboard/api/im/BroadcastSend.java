package io.switchboard.api.im;

import io.switchboard.api.BusPayload;
import io.switchboard.api.Caller;
import io.vertx.core.json.JsonObject;

/**
 * A notice to send to an audience. Request on {@link io.switchboard.api.EventAddresses#IM_BROADCAST_SEND};
 * reply {@link BroadcastInfo}.
 *
 * @param expiresAt an ISO-8601 instant, or null: until withdrawn (checked by IM, 400 naming {@code expiresAt})
 * @param replaces the id of a current broadcast this one takes the place of, or null
 */
public record BroadcastSend(Caller caller, String text, BroadcastAudience to, String expiresAt, String replaces)
    implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("caller", caller.toJson()).put("text", text).put("to", to.toJson())
        .put("expiresAt", expiresAt).put("replaces", replaces);
  }

  public static BroadcastSend fromJson(JsonObject json) {
    return new BroadcastSend(Caller.fromJson(json.getJsonObject("caller")), json.getString("text"),
        BroadcastAudience.fromJson(json.getJsonObject("to")), json.getString("expiresAt"), json.getString("replaces"));
  }
}
