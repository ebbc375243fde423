package io.switchboard.api.presence;

import io.switchboard.api.BusPayload;
import io.vertx.core.json.JsonObject;

/**
 * A user used one of their devices: sent a message, placed or answered a call, published presence, or
 * the console took the focus. Published on {@link io.switchboard.api.EventAddresses#DEVICE_USED}.
 * Registering is not a use.
 *
 * @param device the provisioned device's id when the device is provisioned (its own credentials
 *     registered it, or the call was on its endpoint), else the binding's key (+sip.instance or contact),
 *     or {@code console}
 * @param kind the device's class: desk-phone, mobile, softphone or web (the console)
 * @param how message, call, publish or focus
 * @param at when, epoch milliseconds
 */
public record DeviceUsed(String username, String device, String kind, String how, long at) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("username", username).put("device", device).put("kind", kind).put("how", how)
        .put("at", at);
  }

  public static DeviceUsed fromJson(JsonObject json) {
    return new DeviceUsed(json.getString("username"), json.getString("device"), json.getString("kind"),
        json.getString("how"), json.getLong("at", 0L));
  }
}
