package io.switchboard.api.im;

import io.switchboard.api.BusPayload;
import io.switchboard.api.JsonLists;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * A chat room as the console shows it.
 *
 * @param address the room's user part, {@code room-<name>}
 */
public record RoomInfo(String name, String address, List<String> members, String createdBy, Instant createdAt)
    implements BusPayload {

  public RoomInfo {
    members = List.copyOf(members);
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("name", name).put("address", address).put("members", new JsonArray(members))
        .put("createdBy", createdBy).put("createdAt", createdAt.toString());
  }

  public static RoomInfo fromJson(JsonObject json) {
    return new RoomInfo(json.getString("name"), json.getString("address"), JsonLists.strings(json.getJsonArray("members")),
        json.getString("createdBy"), Instant.parse(json.getString("createdAt")));
  }
}
