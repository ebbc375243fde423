package io.switchboard.core.store;

import io.switchboard.core.config.SwitchboardConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits the MVStore now and then so that the journal can be dropped, as a database's checkpoints do:
 * start a new journal file (every record before it is in the maps), commit and sync the file with that
 * file's number as where a replay starts, then delete the older journal files. On its own
 * {@code store-checkpoint} thread, when {@code every} has passed since the last one or the current
 * journal file has passed {@code journalBytes}, and at close. A bounded compaction runs before each, so
 * that the checkpoint's commit also writes the pages it moved.
 */
final class Checkpoints implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Checkpoints.class);

  static final Duration EVERY = SwitchboardConfig.Store.CHECKPOINT_INTERVAL;
  static final long JOURNAL_BYTES = (long) SwitchboardConfig.Store.CHECKPOINT_JOURNAL_MB << 20;
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final int TARGET_FILL_RATE = 80;
  private static final int COMPACT_WRITE_LIMIT = 2 << 20;

  private final MVStore file;
  private final StoreJournal journal;
  private final long everyNanos;
  private final long journalBytes;
  private final ScheduledExecutorService thread;
  private volatile long lastAt = System.nanoTime();
  private volatile long recordsAtLast;
  private long count;
  private long nanosTotal;
  private long nanosLongest;
  /** CPU time of the compactions and checkpoints (their threads'), to weigh against the records written. */
  private long cpuNanosTotal;

  Checkpoints(MVStore file, StoreJournal journal, Duration every, long journalBytes) {
    this.file = file;
    this.journal = journal;
    this.everyNanos = every.toNanos();
    this.journalBytes = journalBytes;
    this.recordsAtLast = journal.recordsAppended();
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "store-checkpoint");
      t.setDaemon(true);
      return t;
    });
    long tick = Math.max(10, Math.min(1000, every.toMillis() / 5));
    thread.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.MILLISECONDS);
    journal.onStructureChange(this::checkpoint);
  }

  private void tick() {
    try {
      boolean written = journal.recordsAppended() != recordsAtLast;
      boolean due = System.nanoTime() - lastAt >= everyNanos;
      if (written && (due || journal.bytesInFile() >= journalBytes)) {
        compactAndCheckpoint();
      }
    } catch (RuntimeException e) {
      LOG.warn("Store checkpoint failed; the journal keeps growing until one succeeds [{}]", e.toString());
    }
  }

  /**
   * MVStore frees a chunk only when none of its pages is live any more; compaction rewrites the live pages
   * of chunks under the target fill rate, a bounded amount per run, for the checkpoint's commit to write.
   * Returns whether it moved any.
   */
  boolean compactAndCheckpoint() {
    long before = file.getFileStore().size();
    long cpu = cpuNow();
    boolean moved = file.compact(TARGET_FILL_RATE, COMPACT_WRITE_LIMIT);
    synchronized (this) {
      cpuNanosTotal += cpuNow() - cpu;
    }
    LOG.debug("Store compaction [moved: {}, file: {} -> {} bytes, fill: {} %]", moved, before,
        file.getFileStore().size(), file.getFillRate());
    checkpoint();
    return moved;
  }

  /** Blocking: everything written so far is in the synced MVStore file and the older journal files are gone. */
  synchronized void checkpoint() {
    long started = System.nanoTime();
    long cpu = cpuNow();
    long records = journal.recordsAppended();
    long next = journal.rotate();
    file.<String, Long>openMap(JournalReplay.CHECKPOINT_MAP).put(JournalReplay.REPLAY_FROM, next);
    file.commit();
    file.sync();
    journal.deleteBefore(next);
    long took = System.nanoTime() - started;
    lastAt = System.nanoTime();
    recordsAtLast = records;
    count++;
    nanosTotal += took;
    nanosLongest = Math.max(nanosLongest, took);
    cpuNanosTotal += cpuNow() - cpu;
    LOG.debug("Store checkpoint [journal file: {}, took: {} ms]", next, took / 1_000_000);
  }

  /** Blocking: stops the thread, then a last checkpoint, so that a clean start replays nothing. */
  @Override
  public void close() {
    // Not shutdownNow: an interrupt during file I/O closes the FileChannel under the MVStore.
    thread.shutdown();
    try {
      thread.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    checkpoint();
    long records = journal.recordsAppended();
    LOG.info("Store checkpoints [count: {}, average: {} ms, longest: {} ms, journal records: {}, CPU: {} ms, "
        + "{} us per record]", count, count == 0 ? 0 : nanosTotal / count / 1_000_000, nanosLongest / 1_000_000,
        records, cpuNanosTotal / 1_000_000, records == 0 ? 0 : cpuNanosTotal / 1_000 / records);
  }

  /** The calling thread's CPU time, ns (0 where the JVM does not measure it). */
  private static long cpuNow() {
    return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : 0;
  }
}
