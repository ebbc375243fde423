package io.switchboard.core.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes applied writes durable on a thread of its own ({@code store-sync}) and only then tells their
 * callers, so that a {@link WriteBatcher} applies its next batch while the one before is being synced:
 * the journal's fsync and the next bulk write overlap instead of taking turns on one thread. Everything
 * waiting when a sync starts shares it (batches of every collection), and a batch applied while a sync
 * runs waits for the next one, with whatever else arrived meanwhile. Its own thread, not the
 * {@code store} pool, so that a sync never queues behind reads.
 */
final class GroupCommit implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

  /** Someone to tell: once the sync after their write succeeded, or that it failed. */
  private record Waiter(Runnable durable, Consumer<RuntimeException> failed) {
  }

  private final Runnable sync;
  private final BlockingQueue<Waiter> waiting = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean closing;
  private final AtomicLong syncs = new AtomicLong();
  private final AtomicLong told = new AtomicLong();

  /** @param sync blocking: makes everything written so far durable ({@link EmbeddedMongo#commit()}) */
  GroupCommit(Runnable sync) {
    this.sync = sync;
    this.thread = new Thread(this::loop, "store-sync");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Runs {@code durable} (on the {@code store-sync} thread) once a sync that started after this call has
   * succeeded, so everything the caller wrote before it is on the disk; {@code failed} if that sync failed.
   * Neither may block.
   */
  void afterSync(Runnable durable, Consumer<RuntimeException> failed) {
    waiting.add(new Waiter(durable, failed));
    if (!thread.isAlive()) {
      syncWaiting(null); // closed meanwhile: nobody else will
    }
  }

  private void loop() {
    while (!closing || !waiting.isEmpty()) {
      try {
        Waiter first = waiting.poll(100, TimeUnit.MILLISECONDS);
        if (first != null) {
          syncWaiting(first);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** One sync for {@code first} (unless null) and everything waiting now, then its waiters, oldest first. */
  private synchronized void syncWaiting(Waiter first) {
    List<Waiter> group = new ArrayList<>();
    if (first != null) {
      group.add(first);
    }
    waiting.drainTo(group);
    if (group.isEmpty()) {
      return;
    }
    RuntimeException error = null;
    try {
      sync.run();
      syncs.incrementAndGet();
    } catch (RuntimeException e) {
      error = e;
    }
    told.addAndGet(group.size());
    for (Waiter w : group) {
      try {
        if (error == null) {
          w.durable().run();
        } else {
          w.failed().accept(error);
        }
      } catch (RuntimeException e) {
        LOG.warn("Group commit: a caller's callback failed [{}]", e.toString());
      }
    }
  }

  /** Syncs run for waiters since start. */
  long syncs() {
    return syncs.get();
  }

  @Override
  public String toString() {
    long n = syncs();
    return String.format("%d syncs for %d batches (%.1f on average)", n, told.get(), n == 0 ? 0.0 : (double) told.get() / n);
  }

  /** Blocking: tells whoever still waits (after a last sync), then ends the thread. */
  @Override
  public void close() {
    closing = true;
    try {
      thread.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    syncWaiting(null);
  }
}
