package io.switchboard.presence;

import io.vertx.core.Future;
import java.util.List;

/** Users' presence profiles, one per user. */
public interface PresenceStore {

  Future<List<PresenceProfile>> loadAll();

  Future<Void> save(PresenceProfile profile);
}
