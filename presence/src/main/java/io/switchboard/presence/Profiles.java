package io.switchboard.presence;

import io.vertx.core.Future;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Every user's presence profile, held here once loaded (presence never reads a profile from the
 * store on a change), written through the store compare-and-set, and mirrored into the
 * {@link WatcherIndex} (buddy lists) whenever a newer version lands. SIP context only.
 */
final class Profiles {

  private final PresenceStore store;
  private final WatcherIndex index;
  private final Rule.Action fallback;
  private final Map<String, PresenceProfile> byUser = new HashMap<>();
  /** Per user, the last write under way: the next one starts when it ends. */
  private final Map<String, Future<PresenceProfile>> updating = new HashMap<>();

  Profiles(PresenceStore store, WatcherIndex index, Rule.Action fallback) {
    this.store = store;
    this.index = index;
    this.fallback = fallback;
  }

  /** Loads every profile once, at start. */
  Future<Collection<PresenceProfile>> load() {
    return store.loadAll().map(all -> {
      all.forEach(this::keep);
      return List.copyOf(byUser.values());
    });
  }

  PresenceProfile of(String username) {
    return byUser.getOrDefault(username, PresenceProfile.empty(username));
  }

  Rule.Action decide(String presentity, String watcher) {
    return of(presentity).decide(watcher, fallback);
  }

  /**
   * Changes a profile in the store, atomically (a pending watcher noted by a SUBSCRIBE and a buddy
   * added at the same moment both land), and keeps the newest stored version here: answers may
   * come back in any order.
   *
   * @param change pure; may run more than once, off this context
   * @return the profile as now known, this change included
   */
  Future<PresenceProfile> update(String username, UnaryOperator<PresenceProfile> change) {
    // One write per profile at a time from this node, each from the version the one before left:
    // writers here never race each other (a busy buddy list once starved a SUBSCRIBE's pending note
    // through 50 lost compare-and-sets); the compare-and-set still guards against other nodes.
    Future<?> previous = updating.getOrDefault(username, Future.succeededFuture());
    Future<PresenceProfile> next = previous.transform(ignored -> store.update(of(username), change).map(stored -> {
      keep(stored);
      return of(username);
    }));
    updating.put(username, next);
    next.onComplete(r -> updating.remove(username, next));
    return next;
  }

  /** Keeps {@code p} unless a newer version is known, and the buddy index with it. */
  private void keep(PresenceProfile p) {
    PresenceProfile known = byUser.get(p.username());
    if (known != null && known.version() > p.version()) {
      return;
    }
    byUser.put(p.username(), p);
    index.buddiesChanged(p.username(), known == null ? Set.of() : names(known), names(p));
  }

  private static Set<String> names(PresenceProfile p) {
    return p.buddies().stream().map(PresenceProfile.Buddy::username).collect(Collectors.toSet());
  }
}
