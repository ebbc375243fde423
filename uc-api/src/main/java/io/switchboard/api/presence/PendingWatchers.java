package io.switchboard.api.presence;

import io.switchboard.api.BusPayload;
import io.switchboard.api.JsonLists;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/** The reply of {@link PendingQuery}: who asked to see the user, since when. */
public record PendingWatchers(List<Pending> pending) implements BusPayload {

  public record Pending(String watcher, Instant since) implements BusPayload {

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("watcher", watcher).put("since", since.toString());
    }

    public static Pending fromJson(JsonObject json) {
      return new Pending(json.getString("watcher"), Instant.parse(json.getString("since")));
    }
  }

  public PendingWatchers {
    pending = List.copyOf(pending);
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("pending", JsonLists.toArray(pending));
  }

  public static PendingWatchers fromJson(JsonObject json) {
    return new PendingWatchers(JsonLists.fromArray(json.getJsonArray("pending"), Pending::fromJson));
  }
}
