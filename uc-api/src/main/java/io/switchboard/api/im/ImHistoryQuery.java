package io.switchboard.api.im;

import io.switchboard.api.BusPayload;
import io.switchboard.api.Caller;
import io.vertx.core.json.JsonObject;

/**
 * A page of one conversation of the caller's, newest first. Request on
 * {@link io.switchboard.api.EventAddresses#IM_HISTORY}; reply {@link ImMessages}.
 *
 * @param with a username, an extension or {@code room-<name>}
 * @param before an ISO-8601 instant as given (checked by IM), or null for the newest
 */
public record ImHistoryQuery(Caller caller, String with, String before, int limit) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("caller", caller.toJson()).put("with", with).put("before", before).put("limit", limit);
  }

  public static ImHistoryQuery fromJson(JsonObject json) {
    return new ImHistoryQuery(Caller.fromJson(json.getJsonObject("caller")), json.getString("with"),
        json.getString("before"), json.getInteger("limit", 50));
  }
}
