package io.switchboard.api.provisioning;

import io.switchboard.api.BusPayload;
import io.switchboard.api.Caller;
import io.vertx.core.json.JsonObject;

/**
 * Devices, for administrators (provisioning checks the caller: 403 otherwise). Request on
 * {@link io.switchboard.api.EventAddresses#DEVICES}; reply {@link DeviceView} for GET, CREATE and
 * PATCH, {@link DeviceList} for LIST, {@link io.switchboard.api.NoContent} for DELETE. Failures 400
 * naming the field, 404, 409 (a MAC or endpoint taken), 503.
 *
 * @param user LIST and CREATE: whose devices
 * @param id GET, PATCH and DELETE: which device
 * @param device CREATE and PATCH: the fields as the administrator gave them ({@code kind, vendor,
 *     model, mac, endpoint?, profile?}), checked by provisioning; null otherwise
 */
public record DeviceRequest(Caller caller, Op op, String user, String id, JsonObject device) implements BusPayload {

  public enum Op { LIST, GET, CREATE, PATCH, DELETE }

  public static DeviceRequest list(Caller caller, String user) {
    return new DeviceRequest(caller, Op.LIST, user, null, null);
  }

  public static DeviceRequest get(Caller caller, String id) {
    return new DeviceRequest(caller, Op.GET, null, id, null);
  }

  public static DeviceRequest create(Caller caller, String user, JsonObject device) {
    return new DeviceRequest(caller, Op.CREATE, user, null, device);
  }

  public static DeviceRequest patch(Caller caller, String id, JsonObject device) {
    return new DeviceRequest(caller, Op.PATCH, null, id, device);
  }

  public static DeviceRequest delete(Caller caller, String id) {
    return new DeviceRequest(caller, Op.DELETE, null, id, null);
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("caller", caller.toJson()).put("op", op.name()).put("user", user).put("id", id)
        .put("device", device);
  }

  public static DeviceRequest fromJson(JsonObject json) {
    return new DeviceRequest(Caller.fromJson(json.getJsonObject("caller")), Op.valueOf(json.getString("op")),
        json.getString("user"), json.getString("id"), json.getJsonObject("device"));
  }
}
