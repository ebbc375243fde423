package io.switchboard.api.sip;

import io.switchboard.api.BusPayload;
import io.switchboard.api.Caller;
import io.vertx.core.json.JsonObject;

/**
 * Who is registered now, for administrators (403 otherwise). Request on
 * {@link io.switchboard.api.EventAddresses#SIP_BINDINGS}; reply {@link Bindings}.
 *
 * @param user one user's live bindings, or null for everybody's
 */
public record BindingsQuery(Caller caller, String user) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("caller", caller.toJson()).put("user", user);
  }

  public static BindingsQuery fromJson(JsonObject json) {
    return new BindingsQuery(Caller.fromJson(json.getJsonObject("caller")), json.getString("user"));
  }
}
