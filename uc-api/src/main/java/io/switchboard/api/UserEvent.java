package io.switchboard.api;

import io.vertx.core.json.JsonObject;

/**
 * A user was created, changed or deleted. Published on {@link EventAddresses#USER_CHANGED}.
 *
 * @param enabled false when the user is disabled or deleted: they may no longer register
 */
public record UserEvent(String username, Change change, boolean enabled) implements BusPayload {

  public enum Change { CREATED, UPDATED, DELETED }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("username", username).put("change", change.name()).put("enabled", enabled);
  }

  public static UserEvent fromJson(JsonObject json) {
    return new UserEvent(json.getString("username"), Change.valueOf(json.getString("change")),
        json.getBoolean("enabled", false));
  }
}
