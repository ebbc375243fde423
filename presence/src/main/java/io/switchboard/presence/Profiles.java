package io.switchboard.presence;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Every user's presence profile, held here once loaded (presence never reads a profile from the
 * store on a change), written through the store compare-and-set, and mirrored into the
 * {@link WatcherIndex} (buddy lists) whenever a newer version lands. SIP context only.
 *
 * <p>Start-up does not wait for them: they are read in the background a batch at a time
 * ({@link #loadAll}), and until every one is in, a user's own profile is read on first need
 * ({@link #loaded}). Versions decide which copy is kept, so a late batch never replaces a newer
 * profile read or written meanwhile.
 */
final class Profiles {

  private final PresenceStore store;
  private final WatcherIndex index;
  private final Rule.Action fallback;
  private final Map<String, PresenceProfile> byUser = new HashMap<>();
  /** Per user, the last write under way: the next one starts when it ends. */
  private final Map<String, Future<PresenceProfile>> updating = new HashMap<>();
  private final Promise<Void> allLoaded = Promise.promise();
  private boolean complete;

  Profiles(PresenceStore store, WatcherIndex index, Rule.Action fallback) {
    this.store = store;
    this.index = index;
    this.fallback = fallback;
  }

  /**
   * Reads every profile, a batch at a time on this context; {@code each} is told of each profile as
   * kept. Completes once all are in (then every user is known; so does {@link #allLoaded}).
   */
  Future<Void> loadAll(Consumer<PresenceProfile> each) {
    return store.loadAll(batch -> {
      for (PresenceProfile p : batch) {
        keep(p);
        each.accept(of(p.username()));
      }
    }).onSuccess(v -> {
      complete = true;
      allLoaded.tryComplete();
    });
  }

  /** Completes once every stored profile is in. */
  Future<Void> allLoaded() {
    return allLoaded.future();
  }

  boolean isLoaded() {
    return complete;
  }

  /** Completes once the user's profile is here: at once when known, else after reading theirs. */
  Future<Void> loaded(String username) {
    if (complete || byUser.containsKey(username)) {
      return Future.succeededFuture();
    }
    return store.load(username).map(p -> {
      keep(p); // an empty one (version 0) marks a user with none as known
      return null;
    });
  }

  PresenceProfile of(String username) {
    PresenceProfile known = byUser.get(username);
    return known != null ? known : PresenceProfile.empty(username); // made only when needed: asked per watcher
  }

  Rule.Action decide(String presentity, String watcher) {
    return of(presentity).decide(watcher, fallback);
  }

  /** As {@link #decide}, for many watchers of one presentity (a fan-out): its profile looked up once. */
  Function<String, Rule.Action> decider(String presentity) {
    PresenceProfile profile = of(presentity);
    return watcher -> profile.decide(watcher, fallback);
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

  /**
   * Reads a user's profile from the store again (another node wrote it) and keeps it unless a newer
   * version is here already.
   */
  Future<PresenceProfile> reload(String username) {
    return store.load(username).map(p -> {
      keep(p);
      return of(username);
    });
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
