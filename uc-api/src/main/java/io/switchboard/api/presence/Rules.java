package io.switchboard.api.presence;

import io.switchboard.api.BusPayload;
import io.switchboard.api.JsonLists;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** A user's presence rules, in order: the reply of {@link RulesRequest}. */
public record Rules(List<WatcherRule> rules) implements BusPayload {

  public Rules {
    rules = List.copyOf(rules);
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("rules", JsonLists.toArray(rules));
  }

  public static Rules fromJson(JsonObject json) {
    return new Rules(JsonLists.fromArray(json.getJsonArray("rules"), WatcherRule::fromJson));
  }
}
