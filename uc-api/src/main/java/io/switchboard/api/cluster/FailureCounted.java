package io.switchboard.api.cluster;

import io.switchboard.api.BusPayload;
import io.vertx.core.json.JsonObject;

/**
 * One failure a throttle on node {@code node} counted (a login, a provisioning probe, a digest):
 * published on {@link io.switchboard.api.EventAddresses#FAILURE} + kind, counted by the other nodes too.
 *
 * @param keys what the throttle counts it under (source, user, ...), as the throttle names them
 */
public record FailureCounted(String node, JsonObject keys) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("node", node).put("keys", keys);
  }

  public static FailureCounted fromJson(JsonObject json) {
    return new FailureCounted(json.getString("node"), json.getJsonObject("keys", new JsonObject()));
  }
}
