package io.switchboard.api.cluster;

import io.switchboard.api.BusPayload;
import io.vertx.core.json.JsonObject;

/** The device's final response to a {@link SipSend}: its status and reason phrase. */
public record SipSendResult(int status, String reason) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("status", status).put("reason", reason);
  }

  public static SipSendResult fromJson(JsonObject json) {
    return new SipSendResult(json.getInteger("status"), json.getString("reason"));
  }
}
