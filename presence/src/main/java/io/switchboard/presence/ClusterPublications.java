package io.switchboard.presence;

import io.switchboard.core.cluster.ClusterAddresses;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * Publications (RFC 3903) shared by every node of a cluster: the node that accepted a PUBLISH tells
 * the others ({@link ClusterAddresses#PRESENCE_PUBLICATION}), each keeps it as its own (an If-Match
 * refresh may reach any node) and composes once for its own watchers and consoles. A node ignores
 * what it published itself: it composed that already.
 */
final class ClusterPublications {

  private final Vertx vertx;
  private final String node;

  ClusterPublications(Vertx vertx, String node) {
    this.vertx = vertx;
    this.node = node;
  }

  void published(String username, String previousEtag, String etag, PresenceView view, Instant expiresAt) {
    vertx.eventBus().publish(ClusterAddresses.PRESENCE_PUBLICATION, new JsonObject().put("from", node)
        .put("user", username).put("previousEtag", previousEtag).put("etag", etag).put("view", view.toJson())
        .put("expiresAt", expiresAt.toEpochMilli()));
  }

  void removed(String username, String etag) {
    vertx.eventBus().publish(ClusterAddresses.PRESENCE_PUBLICATION, new JsonObject().put("from", node)
        .put("user", username).put("removed", etag));
  }

  /** Another node's publication, applied here; then the user's watchers here are told. */
  void apply(JsonObject m, PresenceService presence) {
    if (node.equals(m.getString("from"))) {
      return;
    }
    String user = m.getString("user");
    String removed = m.getString("removed");
    if (removed != null) {
      presence.unpublishHere(removed);
    } else {
      JsonObject view = m.getJsonObject("view");
      presence.publishHere(user, m.getString("previousEtag"), m.getString("etag"),
          new PresenceView(PresenceState.fromWire(view.getString("state")), view.getString("note")),
          Instant.ofEpochMilli(m.getLong("expiresAt")));
    }
    presence.changed(user);
  }
}
