package io.switchboard.api.cluster;

import io.switchboard.api.BusPayload;
import io.vertx.core.json.JsonObject;

/** This node started ({@code true}) or stopped holding the AMI link: on {@link io.switchboard.api.EventAddresses#AMI_HOLDER}. */
public record AmiHolder(boolean holder) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("holder", holder);
  }

  public static AmiHolder fromJson(JsonObject json) {
    return new AmiHolder(json.getBoolean("holder", false));
  }
}
