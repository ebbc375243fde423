package io.switchboard.core.ha;

import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.util.UUID;

/**
 * Who this node is in the cluster, the one source of it: the cluster manager's node id (Vert.x's, as
 * the event bus, health, the bindings' {@code node}, the message claims and every cluster record's
 * {@code from} carry it), or one id per process when not clustered.
 */
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
