package io.switchboard.presence;

import io.vertx.core.Future;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/** Users' presence profiles, one per user. */
public interface PresenceStore {

  Future<List<PresenceProfile>> loadAll();

  /**
   * Reads every profile and hands them to {@code each} a batch at a time on the caller's context, so
   * that the context is never held by all of them at once (100,000 profiles with 1,000,000 buddies);
   * completes after the last batch was handed over.
   */
  default Future<Void> loadAll(Consumer<List<PresenceProfile>> each) {
    return loadAll().map(all -> {
      for (int i = 0; i < all.size(); i += 1000) {
        each.accept(all.subList(i, Math.min(all.size(), i + 1000)));
      }
      return null;
    });
  }

  /** One user's profile (an empty one, version 0, when none is stored): read on first need right after start. */
  default Future<PresenceProfile> load(String username) {
    return loadAll().map(all -> all.stream().filter(p -> p.username().equals(username)).findFirst()
        .orElse(PresenceProfile.empty(username)));
  }

  /**
   * Applies {@code change} to the stored profile atomically: a change made meanwhile by anyone else
   * (a SUBSCRIBE noting a pending watcher, a buddy added from the console) is kept, never
   * overwritten. {@code change} may run more than once, on a worker thread: it must be pure.
   *
   * @param known the profile as last seen (its version is the first guess of what is stored)
   * @return the profile as stored after the change, with its new version; {@code known} itself
   *     when the change changed nothing
   */
  Future<PresenceProfile> update(PresenceProfile known, UnaryOperator<PresenceProfile> change);
}
