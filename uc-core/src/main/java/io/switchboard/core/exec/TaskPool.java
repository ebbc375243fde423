package io.switchboard.core.exec;

import io.switchboard.core.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * One named, bounded pool for one kind of blocking work: a Vert.x {@link WorkerExecutor} of its own
 * threads, and a limit on the tasks waiting for them. Past the limit {@link #submit} fails at once
 * with an {@link OverloadedException} instead of queueing without bound, so one flood (logins, a
 * slow store) cannot starve the other kinds of work. Futures complete on the caller's context, as
 * with {@code executeBlocking}.
 */
public final class TaskPool {

  /** Seconds a refused caller is told to wait (Retry-After). */
  static final int RETRY_AFTER_SECONDS = 5;

  private final String name;
  private final int threads;
  private final int queueLimit;
  private final WorkerExecutor executor;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  /** Told each task's run time in nanoseconds (the metrics' timer). */
  private final LongConsumer ran;

  /** @param metrics shows the pool's queue depth, refusals and task times */
  TaskPool(Vertx vertx, String name, int threads, int queueLimit, Metrics metrics) {
    if (threads < 1 || queueLimit < 0) {
      throw new IllegalArgumentException(name + ": threads >= 1 and queue limit >= 0, not " + threads + "/" + queueLimit);
    }
    this.name = name;
    this.threads = threads;
    this.queueLimit = queueLimit;
    this.ran = metrics.taskPool(name, this::waiting, this::refused);
    // Tasks here may run long (a hash, a TCP connect): warn only after a minute, as Vert.x's own pool.
    this.executor = vertx.createSharedWorkerExecutor("switchboard-" + name + "-" + System.identityHashCode(this),
        threads, 60, TimeUnit.SECONDS);
  }

  /** Runs {@code work} on this pool's threads, or fails with {@link OverloadedException} when the queue is full. */
  public <T> Future<T> submit(Callable<T> work) {
    if (inFlight.incrementAndGet() > threads + queueLimit) {
      inFlight.decrementAndGet();
      refused.incrementAndGet();
      return Future.failedFuture(new OverloadedException(name, queueLimit, RETRY_AFTER_SECONDS));
    }
    return executor.executeBlocking(() -> {
      long started = System.nanoTime();
      try {
        return work.call();
      } finally {
        ran.accept(System.nanoTime() - started);
        inFlight.decrementAndGet();
        completed.incrementAndGet();
      }
    }, false);
  }

  public String name() {
    return name;
  }

  /** Threads working at once: batch callers keep no more tasks than this in flight, so others keep their share. */
  public int threads() {
    return threads;
  }

  /** Tasks running or waiting now. */
  public int inFlight() {
    return inFlight.get();
  }

  /** Tasks waiting for a thread now. */
  public int waiting() {
    return Math.max(0, inFlight.get() - threads);
  }

  /** Tasks run since start (successfully or not). */
  public long completed() {
    return completed.get();
  }

  /** Tasks refused because the queue was full. */
  public long refused() {
    return refused.get();
  }

  @Override
  public String toString() {
    return name + ": " + threads + " threads, " + completed() + " done, " + refused() + " refused, " + inFlight() + " in flight";
  }

  Future<Void> close() {
    return executor.close();
  }
}
