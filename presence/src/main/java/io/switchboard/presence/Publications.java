package io.switchboard.presence;

import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Live publications (RFC 3903) by entity tag, and per user, so that composing one user's presence
 * looks at that user's few publications, not at everyone's. The latest one per user counts. SIP
 * context only.
 */
final class Publications {

  /** One device's published state. {@code seq} orders publications: the latest counts. */
  record Publication(String username, String etag, PresenceView view, long seq, long timer) {
  }

  private final Vertx vertx;
  private final Clock clock;
  private final Map<String, Publication> byEtag = new HashMap<>();
  private final Map<String, Map<String, Publication>> byUser = new HashMap<>();
  private long seq;

  Publications(Vertx vertx, Clock clock) {
    this.vertx = vertx;
    this.clock = clock;
  }

  /**
   * Adds or replaces a publication; when it expires it is removed and {@code expired} hears whose it was.
   *
   * @param previousEtag the tag it replaces, or null for an initial publication
   */
  void put(String username, String previousEtag, String etag, PresenceView view, Instant expiresAt,
      Consumer<String> expired) {
    if (previousEtag != null) {
      remove(previousEtag);
    }
    long timer = vertx.setTimer(Math.max(1, expiresAt.toEpochMilli() - clock.millis()), id -> {
      Publication gone = remove(etag);
      if (gone != null) {
        expired.accept(gone.username());
      }
    });
    Publication p = new Publication(username, etag, view, ++seq, timer);
    byEtag.put(etag, p);
    byUser.computeIfAbsent(username, u -> new HashMap<>()).put(etag, p);
  }

  Publication find(String etag) {
    return byEtag.get(etag);
  }

  /** Removes a publication and its expiry; null when there was none. */
  Publication remove(String etag) {
    Publication p = byEtag.remove(etag);
    if (p == null) {
      return null;
    }
    vertx.cancelTimer(p.timer());
    Map<String, Publication> ofUser = byUser.get(p.username());
    if (ofUser != null) {
      ofUser.remove(etag);
      if (ofUser.isEmpty()) {
        byUser.remove(p.username());
      }
    }
    return p;
  }

  /** What the user's latest live publication says, or null when none. */
  PresenceView latest(String username) {
    Map<String, Publication> ofUser = byUser.get(username);
    return ofUser == null ? null
        : ofUser.values().stream().max(Comparator.comparingLong(Publication::seq)).map(Publication::view).orElse(null);
  }

  int size() {
    return byEtag.size();
  }
}
