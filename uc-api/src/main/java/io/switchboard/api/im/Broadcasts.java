package io.switchboard.api.im;

import io.switchboard.api.BusPayload;
import io.switchboard.api.JsonLists;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** The reply of {@link BroadcastQuery}: newest first. */
public record Broadcasts(List<BroadcastInfo> broadcasts) implements BusPayload {

  public Broadcasts {
    broadcasts = List.copyOf(broadcasts);
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("broadcasts", JsonLists.toArray(broadcasts));
  }

  public static Broadcasts fromJson(JsonObject json) {
    return new Broadcasts(JsonLists.fromArray(json.getJsonArray("broadcasts"), BroadcastInfo::fromJson));
  }
}
