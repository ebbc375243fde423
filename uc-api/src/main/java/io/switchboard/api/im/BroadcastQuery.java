package io.switchboard.api.im;

import io.switchboard.api.BusPayload;
import io.switchboard.api.Caller;
import io.vertx.core.json.JsonObject;

/**
 * The current broadcasts (unexpired, not withdrawn or replaced) for the caller; every current one for an
 * admin. Request on {@link io.switchboard.api.EventAddresses#IM_BROADCAST_LIST}; reply {@link Broadcasts}.
 */
public record BroadcastQuery(Caller caller) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("caller", caller.toJson());
  }

  public static BroadcastQuery fromJson(JsonObject json) {
    return new BroadcastQuery(Caller.fromJson(json.getJsonObject("caller")));
  }
}
