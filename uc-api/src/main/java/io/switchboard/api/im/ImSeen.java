package io.switchboard.api.im;

import io.switchboard.api.BusPayload;
import io.switchboard.api.Caller;
import io.vertx.core.json.JsonObject;

/**
 * The caller has seen message {@code id}, one they received. Request on
 * {@link io.switchboard.api.EventAddresses#IM_SEEN}; reply {@link io.switchboard.api.ImMessage}.
 */
public record ImSeen(Caller caller, String id) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("caller", caller.toJson()).put("id", id);
  }

  public static ImSeen fromJson(JsonObject json) {
    return new ImSeen(Caller.fromJson(json.getJsonObject("caller")), json.getString("id"));
  }
}
