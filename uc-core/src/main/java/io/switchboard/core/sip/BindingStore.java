package io.switchboard.core.sip;

import io.vertx.core.Future;
import java.util.List;

/** Persistence of the location service, so that a restart does not make every phone look offline. */
public interface BindingStore {

  Future<List<Binding>> loadAll();

  Future<Void> save(Binding binding);

  Future<Void> remove(String username, String key);

  Future<Void> removeAll(String username);
}
