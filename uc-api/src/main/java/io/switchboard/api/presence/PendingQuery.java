package io.switchboard.api.presence;

import io.switchboard.api.BusPayload;
import io.switchboard.api.Caller;
import io.vertx.core.json.JsonObject;

/**
 * The watchers waiting for the caller's decision. Request on
 * {@link io.switchboard.api.EventAddresses#PRESENCE_PENDING}; reply {@link PendingWatchers}.
 */
public record PendingQuery(Caller caller) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("caller", caller.toJson());
  }

  public static PendingQuery fromJson(JsonObject json) {
    return new PendingQuery(Caller.fromJson(json.getJsonObject("caller")));
  }
}
