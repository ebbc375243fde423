package io.switchboard.core.store;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default store: mongo-java-server with its H2 MVStore file backend, its maps typed as BSON
 * ({@link BsonH2Backend}), bound to a random loopback port, so that the one MongoDB driver code path
 * serves both this and a real cluster.
 */
final class EmbeddedMongo implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMongo.class);

  private static final int CACHE_MB = 16;
  private static final int RETENTION_MS = 45_000;
  private static final int COMPACT_EVERY_SECONDS = 1;
  private static final int TARGET_FILL_RATE = 80;
  private static final int COMPACT_WRITE_LIMIT = 2 << 20;

  private final H2Backend backend;
  private final MongoServer server;
  private final InetSocketAddress address;
  /** The file that commits sync and the compactor compacts; null (the bench's baselines): neither. */
  private final MVStore file;
  /** Where durable writes go (then a commit is an fsync of it); null: each commit commits the file. */
  private final StoreJournal journal;
  private final Checkpoints checkpoints;
  private final ScheduledExecutorService compactor;

  private EmbeddedMongo(H2Backend backend, MongoServer server, InetSocketAddress address, MVStore file,
      StoreJournal journal, Checkpoints checkpoints) {
    this.backend = backend;
    this.server = server;
    this.address = address;
    this.file = file;
    this.journal = journal;
    this.checkpoints = checkpoints;
    this.compactor = file == null || journal != null ? null : Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "store-compactor");
      t.setDaemon(true);
      return t;
    });
    if (compactor != null) {
      compactor.scheduleWithFixedDelay(this::compact, COMPACT_EVERY_SECONDS, COMPACT_EVERY_SECONDS, TimeUnit.SECONDS);
    }
  }

  /** How the file holds documents and keys. */
  enum Encoding {
    /** BSON, in maps typed by {@link BsonH2Backend}: what Switchboard uses. */
    BSON,
    /** Java-serialised, as mongo-java-server's own {@link H2Backend} keeps them (the bench's baseline). */
    JAVA_SERIALISED
  }

  /** What makes a write durable. */
  enum Durability {
    /** An fsync of the {@link StoreJournal}; the MVStore is committed at {@link Checkpoints}: what Switchboard uses. */
    JOURNAL,
    /** A commit and sync of the MVStore for each (group) commit: the store before the journal (bench). */
    COMMIT
  }

  /**
   * Blocking: opens the file (migrating an old one first, see {@link StoreFileFormat}), replays the journal
   * a crash left ({@link JournalReplay}) and binds a port.
   */
  static EmbeddedMongo start(Path dataDir) {
    return start(dataDir, Checkpoints.EVERY, Checkpoints.JOURNAL_BYTES);
  }

  /** Blocking: as {@link #start(Path)}, with the checkpoints' thresholds ({@code store.checkpoint-*}). */
  static EmbeddedMongo start(Path dataDir, Duration checkpointEvery, long checkpointJournalBytes) {
    return start(dataDir, Encoding.BSON, COMPRESSED, Durability.JOURNAL, checkpointEvery, checkpointJournalBytes);
  }

  /** Blocking: as {@link #start(Path)}, committing the file at each commit; encoding and compression to measure (bench). */
  static EmbeddedMongo start(Path dataDir, Encoding encoding, boolean compressed) {
    return start(dataDir, encoding, compressed, Durability.COMMIT, Checkpoints.EVERY);
  }

  /** Blocking: as {@link #start(Path)}, with every choice open (bench, tests); a journal needs BSON. */
  static EmbeddedMongo start(Path dataDir, Encoding encoding, boolean compressed, Durability durability,
      Duration checkpointEvery) {
    return start(dataDir, encoding, compressed, durability, checkpointEvery, Checkpoints.JOURNAL_BYTES);
  }

  private static EmbeddedMongo start(Path dataDir, Encoding encoding, boolean compressed, Durability durability,
      Duration checkpointEvery, long checkpointJournalBytes) {
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new StoreException(StoreException.Kind.UNAVAILABLE, null,
          "cannot create data directory " + dataDir.toAbsolutePath() + ": " + e.getMessage(), e);
    }
    Path file = dataDir.resolve("switchboard.mv");
    if (encoding == Encoding.BSON) {
      StoreFileFormat.migrateIfNeeded(file);
    }
    boolean journaled = durability == Durability.JOURNAL && encoding == Encoding.BSON;
    MVStore mvStore = openTuned(file, compressed, journaled);
    H2Backend backend;
    StoreJournal journal = null;
    try {
      if (encoding == Encoding.BSON) {
        StoreFileFormat.requireBson(mvStore);
        if (journaled) {
          Path journalDir = dataDir.resolve(JOURNAL_DIR);
          journal = StoreJournal.open(journalDir, JournalReplay.replay(mvStore, journalDir));
        }
        backend = new BsonH2Backend(mvStore, journal);
      } else {
        backend = new H2Backend(mvStore);
      }
    } catch (RuntimeException e) {
      if (journal != null) {
        journal.close();
      }
      mvStore.closeImmediately();
      throw e instanceof StoreException ? e : new StoreException(StoreException.Kind.UNAVAILABLE, null,
          "cannot open the embedded store " + file.toAbsolutePath() + ": " + e, e);
    }
    Checkpoints checkpoints = null;
    if (journal != null) {
      checkpoints = new Checkpoints(mvStore, journal, checkpointEvery, checkpointJournalBytes);
      checkpoints.checkpoint(); // indexes rebuilt after a replay are in the file from here on
    }
    EmbeddedMongo embedded = serve(backend, mvStore, journal, checkpoints);
    LOG.info("Embedded store [file: {}, encoding: {}, compressed pages: {}, durability: {}, port: {}]",
        file.toAbsolutePath(), encoding, compressed, journaled ? Durability.JOURNAL : Durability.COMMIT,
        embedded.address.getPort());
    return embedded;
  }

  /** Under the data directory: the journal's files. */
  static final String JOURNAL_DIR = "journal";

  /** Page compression, chosen from bench/store-engine.sh (README, "Store"). */
  static final boolean COMPRESSED = true;

  /** As {@link #openTuned(Path, boolean, boolean)}, committed by its caller or automatically. */
  static MVStore openTuned(Path file, boolean compressed) {
    return openTuned(file, compressed, false);
  }

  /**
   * The MVStore as measured best (bench/store-engine.sh): a bounded page cache so that resident memory
   * does not follow history, and old chunks kept 45 s (MVStore's default) after the commit that freed
   * them: a read that started before a commit walks that commit's predecessor, and a long one (a
   * start-up scan of 100,000 profiles under load) failed with "Chunk not found" when freed chunks were
   * reused after one second. With commits only at checkpoints (every few seconds) that costs little
   * space. Journaled, it never commits by itself (not even when unsaved pages pile up): only
   * {@link Checkpoints} do, which is what a replay's starting point assumes.
   */
  static MVStore openTuned(Path file, boolean compressed, boolean journaled) {
    MVStore.Builder builder = new MVStore.Builder().fileName(file.toString()).cacheSize(CACHE_MB);
    if (compressed) {
      builder.compress();
    }
    if (journaled) {
      builder.autoCommitDisabled().autoCommitBufferSize(0);
    }
    MVStore mvStore = builder.open();
    mvStore.setRetentionTime(RETENTION_MS);
    mvStore.setReuseSpace(true);
    return mvStore;
  }

  /**
   * MVStore appends every commit as a new chunk and frees a chunk only when none of its pages is live
   * any more: with a commit per message most chunks keep a page or two and the file grows by kilobytes
   * per message. Compaction rewrites the live pages of chunks under the target fill rate, a bounded
   * amount per run, so that their space can be reused; then commits and syncs.
   */
  private void compact() {
    try {
      long before = file.getFileStore().size();
      boolean moved = file.compact(TARGET_FILL_RATE, COMPACT_WRITE_LIMIT);
      if (moved) {
        commit();
      }
      LOG.debug("Store compaction [moved: {}, file: {} -> {} bytes, fill: {} %]", moved, before,
          file.getFileStore().size(), file.getFillRate());
    } catch (RuntimeException e) {
      LOG.warn("Store compaction failed [{}]", e.toString());
    }
  }

  /** Blocking: serves this backend on a random loopback port, its commits neither synced nor compacted (bench baselines). */
  static EmbeddedMongo on(H2Backend backend) {
    return serve(backend, null, null, null);
  }

  private static EmbeddedMongo serve(H2Backend backend, MVStore file, StoreJournal journal, Checkpoints checkpoints) {
    MongoServer server = new MongoServer(backend);
    server.bind("127.0.0.1", 0);
    return new EmbeddedMongo(backend, server, server.getLocalAddress(), file, journal, checkpoints);
  }

  /** The loopback address the server listens on for this process. */
  InetSocketAddress address() {
    return address;
  }

  /** The backend the server serves: {@link DirectWrites} apply batches to it in this process. */
  H2Backend backend() {
    return backend;
  }

  String connectionString() {
    return "mongodb://127.0.0.1:" + address.getPort();
  }

  private final Object counter = new Object();
  private final Object committer = new Object();
  private long requested;
  private long committed;

  /**
   * Makes everything written so far survive a crash: an fsync of the journal (or, without one, a commit
   * and sync of the file). Group commit: callers that arrive while one runs wait for it and then find
   * their write already covered by the next one. Blocking: worker threads only.
   */
  void commit() {
    long mine;
    synchronized (counter) {
      mine = ++requested;
    }
    synchronized (committer) {
      if (committed >= mine) {
        return; // a commit that started after our write has already finished
      }
      long covering;
      synchronized (counter) {
        covering = requested;
      }
      if (journal != null) {
        journal.sync(); // a 202 means on disk, not in the page cache
      } else {
        backend.commit();
        if (file != null) {
          file.sync();
        }
      }
      committed = covering;
    }
  }

  /** The journal, if durable writes go to one (tests). */
  StoreJournal journal() {
    return journal;
  }

  /** Blocking: a checkpoint now (tests, bench); without a journal, a commit. */
  void checkpoint() {
    if (checkpoints != null) {
      checkpoints.checkpoint();
    } else {
      commit();
    }
  }

  /** Blocking: compactions and checkpoints until nothing moves (at most {@code runs}), for the bench to measure the file. */
  void settle(int runs) {
    for (int i = 0; i < runs; i++) {
      boolean moved = checkpoints != null
          ? checkpoints.compactAndCheckpoint()
          : file != null && file.compact(TARGET_FILL_RATE, COMPACT_WRITE_LIMIT);
      commit();
      if (!moved) {
        return;
      }
    }
  }

  @Override
  public void close() {
    if (checkpoints != null) {
      checkpoints.close(); // the last checkpoint: a clean start replays nothing
    }
    if (compactor != null) {
      // Not shutdownNow: an interrupt during file I/O closes the FileChannel under the MVStore.
      compactor.shutdown();
      try {
        compactor.awaitTermination(30, TimeUnit.SECONDS); // a compaction in progress ends before the file closes
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    server.shutdownNow();
    backend.close();
    if (journal != null) {
      journal.close();
    }
  }
}
