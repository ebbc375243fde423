package io.switchboard.core.metrics;

import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Event-loop lag: once a second a no-op task is put on every event loop (Vert.x's and SIP's own), and the time until it runs
 * is its loop's lag. A loop still blocked counts from when its probe was queued, so a stuck loop
 * shows a growing lag rather than its last good value.
 */
final class EventLoopLag {

  private static final long PROBE_MILLIS = 1000;

  /** Per loop: when its pending probe was queued (0: none pending) and the last probe's wait. */
  private record Loop(EventExecutor executor, AtomicLong queuedAt, AtomicLong lastNanos) {
  }

  private final List<Loop> loops = new CopyOnWriteArrayList<>();
  private Vertx vertx;
  private long timer = -1;

  synchronized void start(Vertx vertx) {
    if (timer >= 0) {
      return; // already probing
    }
    this.vertx = vertx;
    watch(((VertxInternal) vertx).nettyEventLoopGroup());
    timer = vertx.setPeriodic(PROBE_MILLIS, id -> probe());
  }

  /** Adds loops to the probe (once each): Vert.x's at start, a module's own group when it makes one. */
  synchronized void watch(Iterable<? extends EventExecutor> group) {
    for (EventExecutor e : group) {
      if (loops.stream().noneMatch(l -> l.executor() == e)) {
        loops.add(new Loop(e, new AtomicLong(), new AtomicLong()));
      }
    }
  }

  synchronized void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  private void probe() {
    for (Loop loop : loops) {
      if (loop.executor().isShuttingDown()) {
        continue;
      }
      long now = System.nanoTime();
      if (loop.queuedAt().compareAndSet(0, now)) {
        loop.executor().execute(() -> {
          loop.lastNanos().set(System.nanoTime() - now);
          loop.queuedAt().set(0);
        });
      }
    }
  }

  /** The longest lag of any loop, in seconds. */
  double seconds() {
    long worst = 0;
    long now = System.nanoTime();
    for (Loop loop : loops) {
      long queued = loop.queuedAt().get();
      worst = Math.max(worst, Math.max(loop.lastNanos().get(), queued == 0 ? 0 : now - queued));
    }
    return worst / 1e9;
  }
}
