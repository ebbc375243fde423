package io.switchboard.core.store;

import io.switchboard.core.model.User;
import io.switchboard.core.model.UserChanges;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;

/** Users and their hashed secrets. Failures are {@link StoreException}s. */
public interface UserStore {

  /** Fails with CONFLICT naming {@code username} or {@code extension} when taken. */
  Future<User> create(User user);

  /**
   * Stores new users in one go (a batch write where the store has one): all of them, or, failing with
   * a {@link StoreException}, none (what the batch wrote before the failure is removed again).
   */
  default Future<Void> createAll(List<User> users) {
    Future<Void> chain = Future.succeededFuture();
    List<User> written = new java.util.ArrayList<>();
    for (User u : users) {
      chain = chain.compose(v -> create(u).map(x -> {
        written.add(x);
        return null;
      }));
    }
    return chain.recover(e -> {
      Future<Void> undo = Future.succeededFuture();
      for (User u : written) {
        undo = undo.compose(v -> delete(u.username()).recover(x -> Future.succeededFuture()));
      }
      return undo.transform(x -> Future.failedFuture(e));
    });
  }

  Future<Optional<User>> find(String username);

  /** SIP addresses name a user either way: sip:alice@domain or sip:1001@domain. */
  Future<Optional<User>> findByUsernameOrExtension(String userPart);

  Future<List<User>> list();

  /** Fails with NOT_FOUND, or CONFLICT for a taken extension. */
  Future<User> update(String username, UserChanges changes);

  /** Fails with NOT_FOUND. */
  Future<Void> delete(String username);
}
