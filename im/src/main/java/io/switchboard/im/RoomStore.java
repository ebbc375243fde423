package io.switchboard.im;

import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;

/** Chat rooms. Failures are {@link io.switchboard.core.store.StoreException}s (CONFLICT for a taken name). */
public interface RoomStore {

  Future<Room> create(Room room);

  Future<Optional<Room>> find(String name);

  Future<List<Room>> list();

  /** Fails with NOT_FOUND. */
  Future<Void> delete(String name);
}
