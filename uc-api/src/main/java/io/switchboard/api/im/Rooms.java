package io.switchboard.api.im;

import io.switchboard.api.BusPayload;
import io.switchboard.api.JsonLists;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** The reply of {@link RoomListQuery}. */
public record Rooms(List<RoomInfo> rooms) implements BusPayload {

  public Rooms {
    rooms = List.copyOf(rooms);
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("rooms", JsonLists.toArray(rooms));
  }

  public static Rooms fromJson(JsonObject json) {
    return new Rooms(JsonLists.fromArray(json.getJsonArray("rooms"), RoomInfo::fromJson));
  }
}
