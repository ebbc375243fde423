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
   * Removes one binding only while cluster node {@code node} holds it (one that left the cluster): a
   * phone that re-registered with another node meanwhile keeps its new binding.
   *
   * @return true when this call removed it
   */
  default Future<Boolean> removeHeldBy(String username, String key, String node) {
    return load(username).compose(mine -> {
      boolean held = mine.stream().anyMatch(b -> b.key().equals(key) && node.equals(b.node()));
      return held ? remove(username, key).map(true) : Future.succeededFuture(false);
    });
  }
}
