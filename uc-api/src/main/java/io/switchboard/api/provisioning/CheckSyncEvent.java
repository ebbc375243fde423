package io.switchboard.api.provisioning;

import io.switchboard.api.BusPayload;
import io.switchboard.api.JsonLists;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Provisioning told a user's phones to fetch their files again. Published on
 * {@link io.switchboard.api.EventAddresses#CHECK_SYNC}.
 *
 * @param devices ids of the user's desk phones that take a check-sync
 * @param notified the NOTIFYs sent (one per registered contact of those phones)
 */
public record CheckSyncEvent(String user, List<String> devices, int notified) implements BusPayload {

  public CheckSyncEvent {
    devices = List.copyOf(devices);
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("user", user).put("devices", new JsonArray(devices)).put("notified", notified);
  }

  public static CheckSyncEvent fromJson(JsonObject json) {
    return new CheckSyncEvent(json.getString("user"), JsonLists.strings(json.getJsonArray("devices")),
        json.getInteger("notified", 0));
  }
}
