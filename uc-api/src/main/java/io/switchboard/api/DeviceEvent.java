package io.switchboard.api;

import io.vertx.core.json.JsonObject;

/**
 * A device was created, changed or deleted. Published on {@link EventAddresses#DEVICE_CHANGED}.
 * Carries the device's public view (never its secret or token), as it is after the change, or as
 * it was for a delete.
 */
public record DeviceEvent(String id, String username, Change change, JsonObject device) implements BusPayload {

  public enum Change { CREATED, UPDATED, DELETED }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("username", username).put("change", change.name()).put("device", device);
  }

  public static DeviceEvent fromJson(JsonObject json) {
    return new DeviceEvent(json.getString("id"), json.getString("username"), Change.valueOf(json.getString("change")),
        json.getJsonObject("device"));
  }
}
