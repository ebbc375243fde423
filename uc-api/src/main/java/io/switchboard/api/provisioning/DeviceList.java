package io.switchboard.api.provisioning;

import io.switchboard.api.BusPayload;
import io.switchboard.api.JsonLists;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** A user's devices: the reply of {@link DeviceRequest} LIST. */
public record DeviceList(List<DeviceView> devices) implements BusPayload {

  public DeviceList {
    devices = List.copyOf(devices);
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("devices", JsonLists.toArray(devices));
  }

  public static DeviceList fromJson(JsonObject json) {
    return new DeviceList(JsonLists.fromArray(json.getJsonArray("devices"), DeviceView::fromJson));
  }
}
