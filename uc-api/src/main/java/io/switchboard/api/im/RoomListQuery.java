package io.switchboard.api.im;

import io.switchboard.api.BusPayload;
import io.switchboard.api.Caller;
import io.vertx.core.json.JsonObject;

/**
 * The rooms the caller is a member of, every room for an admin. Request on
 * {@link io.switchboard.api.EventAddresses#IM_ROOM_LIST}; reply {@link Rooms}.
 */
public record RoomListQuery(Caller caller) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("caller", caller.toJson());
  }

  public static RoomListQuery fromJson(JsonObject json) {
    return new RoomListQuery(Caller.fromJson(json.getJsonObject("caller")));
  }
}
