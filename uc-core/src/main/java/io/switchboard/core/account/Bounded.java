package io.switchboard.core.account;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** Runs an asynchronous step over a list with at most {@code width} steps in flight: a window, not chunks. */
final class Bounded {

  private Bounded() {
  }

  /** The results in the items' order; fails with the first failure (no new step starts after it). */
  static <T, R> Future<List<R>> map(List<T> items, int width, Function<T, Future<R>> step) {
    if (items.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    Promise<List<R>> done = Promise.promise();
    List<R> out = Collections.synchronizedList(new ArrayList<>(Collections.nCopies(items.size(), null)));
    AtomicInteger next = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    Runnable[] launch = new Runnable[1];
    launch[0] = () -> {
      // Steps that complete at once (no password to hash) loop here rather than recurse.
      while (!done.future().isComplete()) {
        int i = next.getAndIncrement();
        if (i >= items.size()) {
          return;
        }
        Future<R> f = step.apply(items.get(i));
        boolean immediate = f.isComplete();
        f.onComplete(r -> {
          if (r.failed()) {
            done.tryFail(r.cause());
            return;
          }
          out.set(i, r.result());
          if (finished.incrementAndGet() == items.size()) {
            done.tryComplete(new ArrayList<>(out));
          } else if (!immediate) {
            launch[0].run();
          }
        });
        if (!immediate) {
          return;
        }
      }
    };
    for (int k = 0; k < Math.min(width, items.size()); k++) {
      launch[0].run();
    }
    return done.future();
  }
}
