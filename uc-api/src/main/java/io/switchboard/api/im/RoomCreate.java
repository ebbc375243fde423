package io.switchboard.api.im;

import io.switchboard.api.BusPayload;
import io.switchboard.api.Caller;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A new chat room; the caller is always a member. Request on
 * {@link io.switchboard.api.EventAddresses#IM_ROOM_CREATE}; reply {@link RoomInfo}.
 *
 * @param members usernames
 */
public record RoomCreate(Caller caller, String name, List<String> members) implements BusPayload {

  public RoomCreate {
    members = List.copyOf(members);
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("caller", caller.toJson()).put("name", name).put("members", new JsonArray(members));
  }

  public static RoomCreate fromJson(JsonObject json) {
    return new RoomCreate(Caller.fromJson(json.getJsonObject("caller")), json.getString("name"),
        io.switchboard.api.JsonLists.strings(json.getJsonArray("members")));
  }
}
