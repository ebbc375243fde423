package io.switchboard.api.im;

import io.switchboard.api.BusPayload;
import io.switchboard.api.Caller;
import io.vertx.core.json.JsonObject;

/**
 * One broadcast, for the caller: request on {@link io.switchboard.api.EventAddresses#IM_BROADCAST_WITHDRAW}
 * and {@link io.switchboard.api.EventAddresses#IM_BROADCAST_DISMISS}; reply {@link io.switchboard.api.NoContent}.
 */
public record BroadcastRef(Caller caller, String id) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("caller", caller.toJson()).put("id", id);
  }

  public static BroadcastRef fromJson(JsonObject json) {
    return new BroadcastRef(Caller.fromJson(json.getJsonObject("caller")), json.getString("id"));
  }
}
