package io.switchboard.api.im;

import io.switchboard.api.BusPayload;
import io.switchboard.api.Caller;
import io.vertx.core.json.JsonObject;

/**
 * The caller's conversations, most recent first. Request on
 * {@link io.switchboard.api.EventAddresses#IM_CONVERSATIONS}; reply {@link ImConversations}.
 */
public record ImConversationsQuery(Caller caller) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("caller", caller.toJson());
  }

  public static ImConversationsQuery fromJson(JsonObject json) {
    return new ImConversationsQuery(Caller.fromJson(json.getJsonObject("caller")));
  }
}
