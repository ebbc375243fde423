package io.switchboard.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.testing.SettableClock;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One look-up per key at a time: misses during a look-up share it, an aged-out entry is answered at once
 * while one look-up refreshes it, a change (clear) is never answered from before it, a failed refresh
 * stops the aged entry from being used, and a caller that joined another context's look-up hears back on
 * its own context.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class LookupCacheTest {

  private static final long TTL = 60_000;

  private final SettableClock clock = new SettableClock(Instant.ofEpochMilli(1_000_000));
  private final LookupCache<String> cache = new LookupCache<>(clock, TTL, 100);
  /** The look-ups the cache started, in order, each completed by the test. */
  private final List<Promise<Optional<String>>> loads = new ArrayList<>();
  private final Supplier<Future<Optional<String>>> load = () -> {
    Promise<Optional<String>> p = Promise.promise();
    loads.add(p);
    return p.future();
  };

  @Test
  void missesDuringALookUpShareIt() {
    Future<Optional<String>> first = cache.get("alice", load);
    Future<Optional<String>> second = cache.get("alice", load);
    assertEquals(1, loads.size(), "one store read for both");
    loads.get(0).complete(Optional.of("v1"));
    assertEquals(Optional.of("v1"), first.result());
    assertEquals(Optional.of("v1"), second.result());
    assertEquals(Optional.of("v1"), cache.get("alice", load).result());
    assertEquals(1, loads.size(), "cached");
  }

  @Test
  void anAgedOutEntryIsAnsweredAtOnceWhileOneLookUpRefreshesIt() {
    cache.get("alice", load);
    loads.get(0).complete(Optional.of("v1"));
    clock.advance(java.time.Duration.ofMillis(TTL));
    Future<Optional<String>> during = cache.get("alice", load);
    Future<Optional<String>> alsoDuring = cache.get("alice", load);
    assertEquals(Optional.of("v1"), during.result(), "answered from before, without waiting");
    assertEquals(Optional.of("v1"), alsoDuring.result());
    assertEquals(2, loads.size(), "one refresh for both");
    loads.get(1).complete(Optional.of("v2"));
    assertEquals(Optional.of("v2"), cache.get("alice", load).result());
    assertEquals(2, loads.size());
  }

  @Test
  void aLookUpAfterAChangeNeverJoinsOrKeepsOneFromBefore() {
    Future<Optional<String>> before = cache.get("alice", load);
    cache.clear();
    Future<Optional<String>> after = cache.get("alice", load);
    assertEquals(2, loads.size(), "its own look-up after the change");
    loads.get(0).complete(Optional.of("old"));
    loads.get(1).complete(Optional.of("new"));
    assertEquals(Optional.of("old"), before.result());
    assertEquals(Optional.of("new"), after.result());
    assertEquals(Optional.of("new"), cache.get("alice", load).result());

    // An aged entry is not answered after a change either.
    clock.advance(java.time.Duration.ofMillis(TTL));
    cache.clear();
    Future<Optional<String>> fresh = cache.get("alice", load);
    assertFalse(fresh.isComplete(), "waits for its own look-up");
    loads.get(2).complete(Optional.empty());
    assertEquals(Optional.empty(), fresh.result());
  }

  @Test
  void aFailedRefreshStopsTheAgedEntryFromBeingUsed() {
    cache.get("alice", load);
    loads.get(0).complete(Optional.of("v1"));
    clock.advance(java.time.Duration.ofMillis(TTL));
    assertEquals(Optional.of("v1"), cache.get("alice", load).result());
    loads.get(1).fail(new StoreException(StoreException.Kind.UNAVAILABLE, null, "store down", null));
    Future<Optional<String>> next = cache.get("alice", load);
    assertEquals(3, loads.size(), "the next look-up goes to the store itself");
    loads.get(2).fail(new StoreException(StoreException.Kind.UNAVAILABLE, null, "store down", null));
    assertTrue(next.failed(), "the store's failure, not the aged value");
  }

  @Test
  void aCallerJoiningAnotherContextsLookUpHearsBackOnItsOwnContext(Vertx vertx) {
    Context loader = vertx.getOrCreateContext();
    Context joiner = vertx.getOrCreateContext();
    Promise<Optional<String>> read = Promise.promise(); // completed on the loader's context, below
    Future<Thread> loaderThread = Future.future(p -> loader.runOnContext(v -> {
      cache.get("alice", () -> read.future());
      p.complete(Thread.currentThread());
    }));
    Thread loaderOn = loaderThread.await();
    Future<Thread> heardOn = Future.future(p -> joiner.runOnContext(v -> {
      cache.get("alice", load).onComplete(r -> p.complete(Thread.currentThread()));
      loader.runOnContext(x -> read.complete(Optional.of("v1")));
    }));
    Thread joinerHeardOn = heardOn.await();
    Thread joinerOn = Future.<Thread>future(p -> joiner.runOnContext(v -> p.complete(Thread.currentThread()))).await();
    assertEquals(joinerOn, joinerHeardOn, "on the joiner's context");
    assertTrue(loads.isEmpty(), "the joiner did not read again");
    assertTrue(loaderOn != null);
  }
}
