package io.switchboard.core.store;

import io.vertx.core.Future;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Recent look-ups by one key, for the caching stores: entries age out after a TTL, the whole cache
 * is emptied on any change, and a look-up that started before a change does not cache what it read.
 * Safe from any thread.
 */
final class LookupCache<V> {

  private record Entry<V>(Optional<V> value, long at) {
  }

  private final Clock clock;
  private final long ttlMillis;
  private final int maxEntries;
  private final Map<String, Entry<V>> entries = new ConcurrentHashMap<>();
  /** Bumped by every clear, so that a look-up that started before a change does not cache stale data. */
  private final AtomicLong generation = new AtomicLong();

  LookupCache(Clock clock, long ttlMillis, int maxEntries) {
    this.clock = clock;
    this.ttlMillis = ttlMillis;
    this.maxEntries = maxEntries;
  }

  void clear() {
    generation.incrementAndGet();
    entries.clear();
  }

  Future<Optional<V>> get(String key, Supplier<Future<Optional<V>>> load) {
    long now = clock.millis();
    Entry<V> e = entries.get(key);
    if (e != null && now - e.at() < ttlMillis) {
      return Future.succeededFuture(e.value());
    }
    long started = generation.get();
    return load.get().onSuccess(value -> {
      if (generation.get() != started) {
        return;
      }
      if (entries.size() >= maxEntries) {
        entries.clear(); // many distinct keys (a scan of names, say): start over rather than grow
      }
      entries.put(key, new Entry<>(value, now));
    });
  }
}
