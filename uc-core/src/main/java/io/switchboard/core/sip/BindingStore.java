package io.switchboard.core.sip;

import io.vertx.core.Future;
import java.util.List;

/** Persistence of the location service, so that a restart does not make every phone look offline. */
public interface BindingStore {

  Future<List<Binding>> loadAll();

  /** One user's stored bindings (read on first need while {@link #loadAll} is still under way). */
  default Future<List<Binding>> load(String username) {
    return loadAll().map(all -> all.stream().filter(b -> b.username().equals(username)).toList());
  }

  /** Done before the first read: indexes, for a store that has them. */
  default Future<Void> prepare() {
    return Future.succeededFuture();
  }

  Future<Void> save(Binding binding);

  Future<Void> remove(String username, String key);

  Future<Void> removeAll(String username);

  /**
   * Removes every binding held by cluster node {@code node} (one that left the cluster), and only
   * those: a phone that re-registered with another node meanwhile keeps its new binding.
   */
  default Future<Void> removeNode(String node) {
    return loadAll().compose(all -> Future.all(all.stream().filter(b -> node.equals(b.node()))
        .map(b -> remove(b.username(), b.key())).toList())).mapEmpty();
  }
}
