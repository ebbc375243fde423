package io.switchboard.api.presence;

import io.switchboard.api.BusPayload;
import io.switchboard.api.Caller;
import io.switchboard.api.JsonLists;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The caller's presence rules: read them, or replace the whole set. Request on
 * {@link io.switchboard.api.EventAddresses#PRESENCE_RULES}; reply {@link Rules}.
 */
public record RulesRequest(Caller caller, Op op, List<WatcherRule> rules) implements BusPayload {

  public enum Op { GET, PUT }

  public RulesRequest {
    rules = List.copyOf(rules);
  }

  public static RulesRequest get(Caller caller) {
    return new RulesRequest(caller, Op.GET, List.of());
  }

  public static RulesRequest put(Caller caller, List<WatcherRule> rules) {
    return new RulesRequest(caller, Op.PUT, rules);
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("caller", caller.toJson()).put("op", op.name()).put("rules", JsonLists.toArray(rules));
  }

  public static RulesRequest fromJson(JsonObject json) {
    return new RulesRequest(Caller.fromJson(json.getJsonObject("caller")), Op.valueOf(json.getString("op")),
        JsonLists.fromArray(json.getJsonArray("rules"), WatcherRule::fromJson));
  }
}
