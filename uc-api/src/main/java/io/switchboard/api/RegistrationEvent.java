package io.switchboard.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A change of one binding in the location service (RFC 3261 §10). Published on
 * {@link EventAddresses#REGISTRATION}.
 *
 * @param contact the device's Contact URI
 * @param accept content types the device said it accepts (REGISTER Accept header); empty = text/plain only
 * @param activeBindings how many bindings the user has after this change
 */
public record RegistrationEvent(String username, Change change, String contact, String userAgent,
    List<String> accept, int activeBindings) implements BusPayload {

  /** What happened to the binding. */
  public enum Change { REGISTERED, REFRESHED, UNREGISTERED, EXPIRED, REVOKED }

  @Override
  public JsonObject toJson() {
    return new JsonObject()
        .put("username", username)
        .put("change", change.name())
        .put("contact", contact)
        .put("userAgent", userAgent)
        .put("accept", new JsonArray(List.copyOf(accept)))
        .put("activeBindings", activeBindings);
  }

  public static RegistrationEvent fromJson(JsonObject json) {
    List<String> accept = json.getJsonArray("accept", new JsonArray()).stream().map(String::valueOf).toList();
    return new RegistrationEvent(json.getString("username"), Change.valueOf(json.getString("change")),
        json.getString("contact"), json.getString("userAgent"), accept, json.getInteger("activeBindings", 0));
  }
}
