package io.switchboard.core.store;

import io.switchboard.core.bus.EventAddresses;
import io.switchboard.core.model.User;
import io.switchboard.core.model.UserChanges;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps recent user look-ups in memory: every SIP request and every console request looks its
 * user up, and users change rarely. Any change, here or announced on
 * {@link EventAddresses#USER_CHANGED} by another node, empties the cache; entries also age out.
 */
public final class CachingUserStore implements UserStore {

  static final long TTL_MILLIS = 60_000;
  static final int MAX_ENTRIES = 10_000;

  private record Entry(Optional<User> user, long at) {
  }

  private final UserStore delegate;
  private final Clock clock;
  private final Map<String, Entry> byName = new ConcurrentHashMap<>();
  private final Map<String, Entry> byNameOrExtension = new ConcurrentHashMap<>();
  /** Bumped by every clear, so that a look-up that started before a change does not cache stale data. */
  private final java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong();

  public CachingUserStore(Vertx vertx, UserStore delegate, Clock clock) {
    this.delegate = delegate;
    this.clock = clock;
    vertx.eventBus().consumer(EventAddresses.USER_CHANGED, m -> clear());
  }

  public void clear() {
    generation.incrementAndGet();
    byName.clear();
    byNameOrExtension.clear();
  }

  @Override
  public Future<User> create(User user) {
    return delegate.create(user).onComplete(r -> clear());
  }

  @Override
  public Future<Optional<User>> find(String username) {
    return cached(byName, username, () -> delegate.find(username));
  }

  @Override
  public Future<Optional<User>> findByUsernameOrExtension(String userPart) {
    return cached(byNameOrExtension, userPart, () -> delegate.findByUsernameOrExtension(userPart));
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

  private Future<Optional<User>> cached(Map<String, Entry> cache, String key,
      java.util.function.Supplier<Future<Optional<User>>> load) {
    long now = clock.millis();
    Entry e = cache.get(key);
    if (e != null && now - e.at() < TTL_MILLIS) {
      return Future.succeededFuture(e.user());
    }
    long started = generation.get();
    return load.get().onSuccess(user -> {
      if (generation.get() != started) {
        return;
      }
      if (cache.size() >= MAX_ENTRIES) {
        cache.clear(); // many distinct names (a scan of usernames, say): start over rather than grow
      }
      cache.put(key, new Entry(user, now));
    });
  }
}
