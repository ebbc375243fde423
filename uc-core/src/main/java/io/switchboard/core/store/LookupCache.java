package io.switchboard.core.store;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Recent look-ups by one key, for the caching stores: entries age out after a TTL, the whole cache
 * is emptied on any change, and a look-up that started before a change does not cache what it read.
 * One look-up per key at a time: callers that miss while it runs share it, and an entry that aged out
 * is answered from what was read before while one look-up refreshes it, so that when a busy key (a
 * sender writing thousands of MESSAGEs a second) ages out its requests neither wait for nor each send
 * a store read. Safe from any thread; a caller hears back on its own context.
 */
final class LookupCache<V> {

  private record Entry<V>(Optional<V> value, long at) {
  }

  private final Clock clock;
  private final long ttlMillis;
  private final int maxEntries;
  private final Map<String, Entry<V>> entries = new ConcurrentHashMap<>();
  /** Per key, the look-up in progress, started since the last change. */
  private final Map<String, Future<Optional<V>>> loading = new ConcurrentHashMap<>();
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
    loading.clear(); // a look-up after a change never joins one that started before it
  }

  Future<Optional<V>> get(String key, Supplier<Future<Optional<V>>> load) {
    long now = clock.millis();
    Entry<V> e = entries.get(key);
    if (e != null && now - e.at() < ttlMillis) {
      return Future.succeededFuture(e.value());
    }
    if (e != null) {
      load(key, load, now); // refreshed in the background; this caller has what was read before the TTL
      return Future.succeededFuture(e.value());
    }
    return load(key, load, now);
  }

  /** Starts the look-up of {@code key} unless one runs; either way, its result on the caller's context. */
  private Future<Optional<V>> load(String key, Supplier<Future<Optional<V>>> load, long now) {
    Promise<Optional<V>> shared = Promise.promise();
    Future<Optional<V>> running = loading.putIfAbsent(key, shared.future());
    if (running != null) {
      return onCallersContext(running);
    }
    long started = generation.get();
    Future<Optional<V>> mine;
    try {
      mine = load.get();
    } catch (RuntimeException ex) {
      mine = Future.failedFuture(ex);
    }
    mine.onComplete(r -> {
      if (r.succeeded() && generation.get() == started) {
        if (entries.size() >= maxEntries) {
          entries.clear(); // many distinct keys (a scan of names, say): start over rather than grow
        }
        entries.put(key, new Entry<>(r.result(), now));
      } else if (r.failed()) {
        // Not answered from an aged entry any longer: the next look-up tries the store itself.
        entries.computeIfPresent(key, (k, old) -> clock.millis() - old.at() >= ttlMillis ? null : old);
      }
      loading.remove(key, shared.future());
      shared.handle(r);
    });
    return mine;
  }

  /** {@code shared} completes on its loader's context: a caller on another hears back on its own. */
  private static <T> Future<T> onCallersContext(Future<T> shared) {
    Context caller = Vertx.currentContext();
    if (caller == null) {
      return shared;
    }
    Promise<T> mine = Promise.promise();
    shared.onComplete(r -> caller.runOnContext(v -> mine.handle(r)));
    return mine.future();
  }
}
