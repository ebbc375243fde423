package io.switchboard.api.presence;

import io.switchboard.api.BusPayload;
import io.switchboard.api.Caller;
import io.vertx.core.json.JsonObject;

/**
 * What the caller may see of {@code of} (a username or an extension). Request on
 * {@link io.switchboard.api.EventAddresses#PRESENCE_GET}; reply {@link PresenceOf}; 403 when the
 * presentity's rules block or hold the caller, 404 for no such user.
 */
public record PresenceQuery(Caller caller, String of) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("caller", caller.toJson()).put("of", of);
  }

  public static PresenceQuery fromJson(JsonObject json) {
    return new PresenceQuery(Caller.fromJson(json.getJsonObject("caller")), json.getString("of"));
  }
}
