package io.switchboard.core.ha;

import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.util.UUID;

/** Who this node is in the cluster: the cluster manager's node id, or one id per process when not clustered. */
public final class NodeIdentity {

  private static final String STANDALONE = "standalone-" + UUID.randomUUID();

  private NodeIdentity() {
  }

  public static String of(Vertx vertx) {
    if (vertx.isClustered() && vertx instanceof VertxInternal internal && internal.clusterManager() != null) {
      return internal.clusterManager().getNodeId();
    }
    return STANDALONE;
  }
}
