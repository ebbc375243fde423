package io.switchboard.presence;

import io.vertx.core.Future;
import java.util.List;
import java.util.function.UnaryOperator;

/** Users' presence profiles, one per user. */
public interface PresenceStore {

  Future<List<PresenceProfile>> loadAll();

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
