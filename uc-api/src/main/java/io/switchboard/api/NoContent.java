package io.switchboard.api;

import io.vertx.core.json.JsonObject;

/** The reply of a request that answers nothing but its success: an empty object on the wire. */
public record NoContent() implements BusPayload {

  public static final NoContent INSTANCE = new NoContent();

  @Override
  public JsonObject toJson() {
    return new JsonObject();
  }

  public static NoContent fromJson(JsonObject json) {
    return INSTANCE;
  }
}
