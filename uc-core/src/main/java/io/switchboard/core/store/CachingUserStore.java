package io.switchboard.core.store;

import io.switchboard.api.EventAddresses;
import io.switchboard.core.model.User;
import io.switchboard.core.model.UserChanges;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Keeps recent user look-ups in memory: every SIP request and every console request looks its
 * user up, and users change rarely. Any change, here or announced on
 * {@link EventAddresses#USER_CHANGED} by another node, empties the cache; entries also age out.
 */
public final class CachingUserStore implements UserStore {

  static final long TTL_MILLIS = 60_000;
  static final int MAX_ENTRIES = 10_000;

  private final UserStore delegate;
  private final LookupCache<User> byName;
  private final LookupCache<User> byNameOrExtension;
  private final io.vertx.core.eventbus.MessageConsumer<Object> changes;

  public CachingUserStore(Vertx vertx, UserStore delegate, Clock clock) {
    this.delegate = delegate;
    this.byName = new LookupCache<>(clock, TTL_MILLIS, MAX_ENTRIES);
    this.byNameOrExtension = new LookupCache<>(clock, TTL_MILLIS, MAX_ENTRIES);
    this.changes = vertx.eventBus().consumer(EventAddresses.USER_CHANGED, m -> clear());
  }

  /** Stops listening for changes (the owner stops): no handler is left on the bus. */
  public Future<Void> close() {
    return changes.unregister();
  }

  public void clear() {
    byName.clear();
    byNameOrExtension.clear();
  }

  @Override
  public Future<User> create(User user) {
    return delegate.create(user).onComplete(r -> clear());
  }

  @Override
  public Future<Void> createAll(List<User> users) {
    return delegate.createAll(users).onComplete(r -> clear());
  }

  @Override
  public Future<Optional<User>> find(String username) {
    return byName.get(username, () -> delegate.find(username));
  }

  @Override
  public Future<Optional<User>> findByUsernameOrExtension(String userPart) {
    return byNameOrExtension.get(userPart, () -> delegate.findByUsernameOrExtension(userPart));
  }

  @Override
  public Future<List<User>> list() {
    return delegate.list();
  }

  @Override
  public Future<User> update(String username, UserChanges changes) {
    return delegate.update(username, changes).onComplete(r -> clear());
  }

  @Override
  public Future<Void> delete(String username) {
    return delegate.delete(username).onComplete(r -> clear());
  }
}
