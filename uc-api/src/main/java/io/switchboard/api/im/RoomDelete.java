package io.switchboard.api.im;

import io.switchboard.api.BusPayload;
import io.switchboard.api.Caller;
import io.vertx.core.json.JsonObject;

/**
 * Deletes a room: only its creator or an admin may (else 403). Request on
 * {@link io.switchboard.api.EventAddresses#IM_ROOM_DELETE}; reply {@link io.switchboard.api.NoContent}.
 */
public record RoomDelete(Caller caller, String name) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("caller", caller.toJson()).put("name", name);
  }

  public static RoomDelete fromJson(JsonObject json) {
    return new RoomDelete(Caller.fromJson(json.getJsonObject("caller")), json.getString("name"));
  }
}
