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

  Future<Optional<User>> find(String username);

  /** SIP addresses name a user either way: sip:alice@domain or sip:1001@domain. */
  Future<Optional<User>> findByUsernameOrExtension(String userPart);

  Future<List<User>> list();

  /** Fails with NOT_FOUND, or CONFLICT for a taken extension. */
  Future<User> update(String username, UserChanges changes);

  /** Fails with NOT_FOUND. */
  Future<Void> delete(String username);
}
