package io.switchboard.presence;

import io.switchboard.api.EventAddresses;
import io.switchboard.api.cluster.PresencePublication;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * Publications (RFC 3903) shared by every node of a cluster: the node that accepted a PUBLISH tells
 * the others ({@link EventAddresses#PRESENCE_PUBLICATION}), each keeps it as its own (an If-Match
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
    vertx.eventBus().publish(EventAddresses.PRESENCE_PUBLICATION, PresencePublication.published(node, username,
        previousEtag, etag, view.toStatus(), expiresAt.toEpochMilli()).toJson());
  }

  void removed(String username, String etag) {
    vertx.eventBus().publish(EventAddresses.PRESENCE_PUBLICATION, PresencePublication.removed(node, username, etag).toJson());
  }

  /** Another node's publication, applied here; then the user's watchers here are told. */
  void apply(JsonObject json, PresenceService presence) {
    PresencePublication m = PresencePublication.fromJson(json);
    if (node.equals(m.from())) {
      return;
    }
    if (m.removed() != null) {
      presence.unpublishHere(m.removed());
    } else {
      presence.publishHere(m.user(), m.previousEtag(), m.etag(),
          new PresenceView(PresenceState.fromWire(m.view().state()), m.view().note()),
          Instant.ofEpochMilli(m.expiresAtMillis()));
    }
    presence.changed(m.user());
  }
}
