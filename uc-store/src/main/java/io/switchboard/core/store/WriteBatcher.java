package io.switchboard.core.store;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.bulk.BulkWriteResult;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.WriteModel;
import io.switchboard.core.exec.OverloadedException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writes to one collection, batched: callers submit write models and get a future that
 * completes once the write is applied and made durable ({@link MongoStore#makeDurable()}), the same
 * promise as a write of its own. One drain at a time, on the {@code store} pool, takes what is
 * queued (at most {@link #MAX_BATCH}) and applies it as one ordered {@code bulkWrite} (on the embedded
 * store in process, {@link DirectWrites}: no driver, no socket); the
 * {@code store-sync} thread then makes it durable ({@link GroupCommit}, one sync shared by everything
 * applied meanwhile, whatever the collection) and only then completes its callers, each on its own
 * context, while the drain applies the next batch; with few writes waiting ({@link #OVERLAP_AT}) the
 * drain syncs itself instead and then goes on. Batching is natural: while one batch is applied or
 * synced the next accumulates, so a lone write costs one round trip and one sync, and under load the
 * cost per write falls. Writes are applied in the order submitted, their callers told in that order.
 *
 * <p>A write at fault fails only its own caller (a duplicate key as a CONFLICT naming the field, as
 * {@link MongoCalls} translates it); the writes after it in the ordered bulk were not applied and are
 * sent again. Past {@link #QUEUE_LIMIT} writes waiting, a caller is refused at once with an
 * {@link OverloadedException}, like a full {@code store} pool.
 */
public final class WriteBatcher {

  private static final Logger LOG = LoggerFactory.getLogger(WriteBatcher.class);

  /** Writes per bulk at most: enough to amortise the commit, small enough for one wire message. */
  static final int MAX_BATCH = 500;
  /** Writes queued that are applied while the batch before is still being synced (fewer wait for that sync). */
  static final int OVERLAP_AT = 64;
  /** Writes waiting at most, as the {@code store} pool's queue. */
  static final int QUEUE_LIMIT = 2000;
  /** Seconds a refused caller is told to wait (Retry-After), as for the task pools. */
  private static final int RETRY_AFTER_SECONDS = 5;

  private static final BulkWriteOptions ORDERED = new BulkWriteOptions().ordered(true);

  private final Vertx vertx;
  private final MongoStore store;
  /** How a bulk is applied: in process for the embedded store ({@link DirectWrites}), else the driver's bulkWrite. */
  private final BulkWriter bulk;
  private final String name;
  private final int maxBatch;
  private final int queueLimit;

  private final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicBoolean draining = new AtomicBoolean();
  /** Writes applied and waiting for their sync. */
  private final AtomicInteger syncing = new AtomicInteger();
  private final Object idle = new Object();

  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicInteger largest = new AtomicInteger();

  WriteBatcher(Vertx vertx, MongoStore store, String collection, int maxBatch, int queueLimit) {
    this(vertx, store, collection, maxBatch, queueLimit, store.embedded());
  }

  /** @param direct applied in process (the embedded store only), else through the driver (tests compare both) */
  WriteBatcher(Vertx vertx, MongoStore store, String collection, int maxBatch, int queueLimit, boolean direct) {
    if (maxBatch < 1 || queueLimit < 1) {
      throw new IllegalArgumentException(collection + ": batch and queue limit >= 1, not " + maxBatch + "/" + queueLimit);
    }
    this.vertx = vertx;
    this.store = store;
    MongoCollection<Document> driver = store.database().getCollection(collection);
    this.bulk = direct ? store.directWrites(driver) : models -> driver.bulkWrite(models, ORDERED);
    this.name = collection;
    this.maxBatch = maxBatch;
    this.queueLimit = queueLimit;
  }

  /** Applies {@code write} with the others queued; completes once it is durable. */
  public Future<Void> write(WriteModel<Document> write) {
    return submit(write, false).mapEmpty();
  }

  /**
   * Applies {@code write} in a bulk of its own (within the next batch and its one commit), so that
   * the counts of the result are this write's alone: for a conditional update whose caller needs to
   * know whether it matched.
   */
  public Future<BulkWriteResult> writeCounted(WriteModel<Document> write) {
    return submit(write, true);
  }

  private Future<BulkWriteResult> submit(WriteModel<Document> write, boolean alone) {
    if (queued.incrementAndGet() > queueLimit) {
      queued.decrementAndGet();
      refused.incrementAndGet();
      return Future.failedFuture(new OverloadedException("store (" + name + " writes)", queueLimit, RETRY_AFTER_SECONDS));
    }
    Pending pending = new Pending(write, alone, vertx.getOrCreateContext());
    queue.add(pending);
    if (queued.get() == OVERLAP_AT) {
      synchronized (idle) {
        idle.notifyAll(); // a drain waiting for a sync may apply these meanwhile
      }
    }
    startDrain();
    return pending.promise().future();
  }

  /** Starts a drain unless one runs: it will see what was just queued. */
  private void startDrain() {
    if (!draining.compareAndSet(false, true)) {
      return;
    }
    Future<Void> drain = store.pool() == null ? vertx.executeBlocking(this::drain, false) : store.pool().submit(this::drain);
    drain.onFailure(e -> {
      // The pool refused the drain (its queue is full): what waits is refused with it.
      draining.set(false);
      failWaiting(e);
    });
  }

  /**
   * Batch after batch until nothing waits; then lets the next write start a drain. The re-check
   * after letting go catches a write queued between the last poll and the release.
   */
  private Void drain() {
    while (true) {
      awaitSyncUnlessMany();
      List<Pending> batch = take();
      if (!batch.isEmpty()) {
        run(batch);
        continue;
      }
      draining.set(false);
      synchronized (idle) {
        idle.notifyAll();
      }
      if (queue.isEmpty() || !draining.compareAndSet(false, true)) {
        return null;
      }
    }
  }

  /**
   * While the batch before is being synced, waits for that sync unless {@link #OVERLAP_AT} writes are
   * queued already: a batch applied now is acknowledged only after the next sync anyway, so applying a
   * few early gains little and costs a bulk write each (smaller batches, more CPU per write), while a
   * large batch applied during the sync is ready when it ends.
   */
  private void awaitSyncUnlessMany() {
    synchronized (idle) {
      while (syncing.get() > 0 && queued.get() < OVERLAP_AT) {
        try {
          idle.wait(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private List<Pending> take() {
    List<Pending> batch = new ArrayList<>();
    Pending next;
    while (batch.size() < maxBatch && (next = queue.poll()) != null) {
      batch.add(next);
    }
    queued.addAndGet(-batch.size());
    return batch;
  }

  private void failWaiting(Throwable e) {
    List<Pending> batch;
    while (!(batch = take()).isEmpty()) {
      batch.forEach(p -> fail(p, e));
    }
    synchronized (idle) {
      idle.notifyAll();
    }
  }

  /**
   * One batch: bulks in order (runs of plain writes together, each counted write alone), then its
   * callers once a sync after it succeeded. With {@link #OVERLAP_AT} writes queued (or a sync of ours
   * still running) the sync goes to the {@code store-sync} thread ({@link MongoStore#afterDurable}) and
   * the drain applies the next batch meanwhile, whose writes share the following sync; with fewer, the
   * drain syncs itself, as a hand-over to another thread costs more than it saves then.
   */
  private void run(List<Pending> batch) {
    batches.incrementAndGet();
    largest.accumulateAndGet(batch.size(), Math::max);
    List<Applied> applied = new ArrayList<>(batch.size());
    try {
      int from = 0;
      while (from < batch.size()) {
        int to = from + 1;
        if (!batch.get(from).alone()) {
          while (to < batch.size() && !batch.get(to).alone()) {
            to++;
          }
        }
        apply(batch.subList(from, to), applied);
        from = to;
      }
    } catch (RuntimeException e) {
      failBatch(batch, e);
      return;
    }
    if (applied.isEmpty()) {
      return;
    }
    if (syncing.get() == 0 && queued.get() < OVERLAP_AT) {
      // Few waiting and no sync of ours running: synced here, one thread hand-over fewer per write.
      try {
        store.makeDurable();
      } catch (RuntimeException e) {
        failBatch(batch, e);
        return;
      }
      durable(applied);
      return;
    }
    syncing.addAndGet(applied.size());
    store.afterDurable(() -> {
      durable(applied);
      synced(applied.size());
    }, e -> {
      failBatch(batch, e);
      synced(applied.size());
    });
  }

  private void durable(List<Applied> applied) {
    written.addAndGet(applied.size());
    for (Applied a : applied) {
      a.pending().settled().set(true);
      a.pending().context().runOnContext(v -> a.pending().promise().complete(a.result()));
    }
  }

  /** The bulk write or the sync after it (or something unforeseen) failed: nothing here is known to be durable. */
  private void failBatch(List<Pending> batch, RuntimeException e) {
    LOG.warn("Write batch failed [collection: {}, writes: {}]: {}", name, batch.size(), e.toString());
    StoreException error = e instanceof MongoException m ? MongoCalls.translate(m)
        : new StoreException(StoreException.Kind.UNAVAILABLE, null, "store error: " + e.getMessage(), e);
    batch.forEach(p -> fail(p, error));
  }

  private void synced(int writes) {
    syncing.addAndGet(-writes);
    synchronized (idle) {
      idle.notifyAll();
    }
  }

  /**
   * Applies {@code writes} as ordered bulks: the first write at fault fails its caller; those before
   * it were applied, those after it were not and go again.
   */
  private void apply(List<Pending> writes, List<Applied> applied) {
    List<Pending> rest = writes;
    while (!rest.isEmpty()) {
      List<WriteModel<Document>> models = new ArrayList<>(rest.size());
      rest.forEach(p -> models.add(p.model()));
      try {
        BulkWriteResult result = bulk.bulkWrite(models);
        rest.forEach(p -> applied.add(new Applied(p, result)));
        return;
      } catch (MongoBulkWriteException e) {
        if (e.getWriteErrors().isEmpty()) {
          throw e; // not a write's fault (a write concern not met): the whole batch fails
        }
        BulkWriteError first = e.getWriteErrors().get(0);
        int at = first.getIndex();
        for (Pending p : rest.subList(0, at)) {
          applied.add(new Applied(p, e.getWriteResult()));
        }
        StoreException error = MongoCalls.translate(first, e);
        LOG.debug("Write refused [collection: {}]: {}", name, error.getMessage());
        fail(rest.get(at), error);
        rest = rest.subList(at + 1, rest.size());
      }
    }
  }

  /** Fails {@code p} unless it was settled already (a write at fault, then the commit failing). */
  private void fail(Pending p, Throwable e) {
    if (p.settled().compareAndSet(false, true)) {
      failed.incrementAndGet();
      p.context().runOnContext(v -> p.promise().fail(e));
    }
  }

  /** Blocking: waits (at most {@code timeoutMillis}) until no write waits or runs; true if so. */
  boolean awaitIdle(long timeoutMillis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    synchronized (idle) {
      while (queued.get() > 0 || draining.get() || syncing.get() > 0) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          return false;
        }
        try {
          idle.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return true;
    }
  }

  /** Batches run since start. */
  public long batches() {
    return batches.get();
  }

  /** Writes applied and made durable since start. */
  public long written() {
    return written.get();
  }

  /** Writes refused because the queue was full. */
  public long refused() {
    return refused.get();
  }

  /** The largest batch so far. */
  public int largestBatch() {
    return largest.get();
  }

  @Override
  public String toString() {
    long n = batches();
    return String.format("%s: %d writes in %d batches (%.1f on average, largest %d), %d failed, %d refused, %d waiting,"
        + " %d syncing", name, written(), n, n == 0 ? 0.0 : (double) written() / n, largestBatch(), failed.get(), refused(),
        queued.get(), syncing.get());
  }

  /**
   * An ordered bulk write, with the driver's outcomes: its result, or a {@link MongoBulkWriteException} naming
   * the write at fault.
   */
  @FunctionalInterface
  interface BulkWriter {
    BulkWriteResult bulkWrite(List<WriteModel<Document>> models);
  }

  /** A write waiting, and whom to tell: its caller's context and promise. */
  private record Pending(WriteModel<Document> model, boolean alone, Context context, Promise<BulkWriteResult> promise,
      AtomicBoolean settled) {

    Pending(WriteModel<Document> model, boolean alone, Context context) {
      this(model, alone, context, Promise.promise(), new AtomicBoolean());
    }
  }

  private record Applied(Pending pending, BulkWriteResult result) {
  }
}
