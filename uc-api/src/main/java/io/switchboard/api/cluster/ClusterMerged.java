package io.switchboard.api.cluster;

import io.switchboard.api.BusPayload;
import io.vertx.core.json.JsonObject;

/** This node ({@code node}) merged back into the cluster after a partition: on {@link io.switchboard.api.EventAddresses#CLUSTER_MERGED}. */
public record ClusterMerged(String node) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("node", node);
  }

  public static ClusterMerged fromJson(JsonObject json) {
    return new ClusterMerged(json.getString("node"));
  }
}
