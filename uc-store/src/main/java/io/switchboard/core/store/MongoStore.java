package io.switchboard.core.store;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.WriteConcern;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.exec.TaskPool;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection to MongoDB: a real deployment when a URI is configured, the embedded server
 * otherwise. Only blocking calls here: stores run them through {@link MongoCalls}, on the {@code store}
 * {@link TaskPool} when one is given (else on Vert.x's shared worker pool).
 */
public final class MongoStore implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MongoStore.class);

  private final MongoClient client;
  private final MongoDatabase database;
  private final EmbeddedMongo embedded;
  private final TaskPool pool;
  /** Per collection, its hot-path writes batched: one bulk and one commit for what accumulates. */
  private final Map<String, WriteBatcher> batchers = new ConcurrentHashMap<>();
  /** The batchers' syncs, overlapping their next bulk writes (embedded store only; null otherwise). */
  private final GroupCommit groupCommit;

  private MongoStore(MongoClient client, MongoDatabase database, EmbeddedMongo embedded, TaskPool pool) {
    this.client = client;
    this.database = database;
    this.embedded = embedded;
    this.pool = pool;
    this.groupCommit = embedded == null ? null : new GroupCommit(embedded::commit);
  }

  /** Blocking: starts the embedded server if needed, connects and pings. Calls run on Vert.x's worker pool. */
  public static MongoStore open(SwitchboardConfig.Store config) {
    return open(config, null);
  }

  /**
   * Blocking: starts the embedded server if needed, connects and pings.
   *
   * @param pool where the driver's calls run (the {@code store} pool), or null for Vert.x's worker pool
   */
  public static MongoStore open(SwitchboardConfig.Store config, TaskPool pool) {
    EmbeddedMongo embedded = config.mongoUri().isEmpty() ? EmbeddedMongo.start(config.dataDir(),
        config.checkpointInterval(), config.checkpointJournalMb() * (1L << 20)) : null;
    return open(config, embedded, pool);
  }

  /** Blocking: connects to {@code embedded} when not null (tests that start it themselves), else to {@code mongo.uri}. */
  static MongoStore open(SwitchboardConfig.Store config, EmbeddedMongo embedded, TaskPool pool) {
    String uri = embedded != null ? embedded.connectionString() : config.mongoUri().get();
    MongoClientSettings settings = MongoClientSettings.builder()
        .applyConnectionString(new ConnectionString(uri))
        // What was acknowledged must survive the loss of a node: majority, journaled.
        .writeConcern(embedded != null ? WriteConcern.ACKNOWLEDGED : WriteConcern.MAJORITY.withJournal(true))
        .applyToClusterSettings(b -> b.serverSelectionTimeout(10, TimeUnit.SECONDS))
        .applyToSocketSettings(b -> b.connectTimeout(5, TimeUnit.SECONDS))
        .build();
    MongoClient client = MongoClients.create(settings);
    MongoDatabase database = client.getDatabase(config.database());
    try {
      database.runCommand(new Document("ping", 1));
    } catch (RuntimeException e) {
      client.close();
      if (embedded != null) {
        embedded.close();
      }
      throw new StoreException(StoreException.Kind.UNAVAILABLE, null,
          "cannot reach MongoDB (mongo.uri): " + e.getMessage(), e);
    }
    LOG.info("Store ready [{}, database: {}]", embedded != null ? "embedded" : "mongodb", config.database());
    return new MongoStore(client, database, embedded, pool);
  }

  public MongoDatabase database() {
    return database;
  }

  /** The pool the driver's calls run on; null means Vert.x's shared worker pool. */
  TaskPool pool() {
    return pool;
  }

  /** The write batcher of {@code collection}, made on first use and drained when the store closes. */
  public WriteBatcher writes(Vertx vertx, String collection) {
    return batchers.computeIfAbsent(collection,
        c -> new WriteBatcher(vertx, this, c, WriteBatcher.MAX_BATCH, WriteBatcher.QUEUE_LIMIT));
  }

  /**
   * The in-process writer of {@code collection}'s bulks ({@link DirectWrites}); what it cannot convert goes
   * through {@code collection}. Embedded store only.
   */
  WriteBatcher.BulkWriter directWrites(com.mongodb.client.MongoCollection<Document> collection) {
    if (embedded == null) {
      throw new IllegalStateException("direct writes need the embedded store");
    }
    return new DirectWrites(embedded.backend(), collection,
        new com.mongodb.ServerAddress(embedded.address().getHostString(), embedded.address().getPort()));
  }

  public boolean embedded() {
    return embedded != null;
  }

  /**
   * Runs {@code durable} once what the caller wrote before this call is durable, on the
   * {@code store-sync} thread after a shared sync ({@link GroupCommit}); at once with a real MongoDB,
   * whose write concern made it durable already; {@code failed} if the sync failed. Neither may block.
   */
  void afterDurable(Runnable durable, java.util.function.Consumer<RuntimeException> failed) {
    if (groupCommit == null) {
      durable.run();
    } else {
      groupCommit.afterSync(durable, failed);
    }
  }

  /** Syncs the {@code store-sync} thread ran for batchers (tests). */
  long groupCommitSyncs() {
    return groupCommit == null ? 0 : groupCommit.syncs();
  }

  /** The embedded store, if that is what this is connected to (tests). */
  EmbeddedMongo embeddedServer() {
    return embedded;
  }

  /**
   * Call after a write that has been (or is about to be) acknowledged to a peer. The embedded
   * backend commits its file; a real MongoDB already has the write journaled by the write concern.
   */
  public void makeDurable() {
    if (embedded != null) {
      embedded.commit();
    }
  }

  /** Blocking liveness probe for health. */
  public boolean ping() {
    try {
      database.runCommand(new Document("ping", 1));
      return true;
    } catch (RuntimeException e) {
      LOG.warn("Store ping failed: {}", e.getMessage());
      return false;
    }
  }

  /** Blocking: lets queued writes finish (on the still open pool), logs what each batcher did, then closes. */
  @Override
  public void close() {
    if (!batchers.isEmpty()) {
      batchers.values().forEach(b -> {
        if (!b.awaitIdle(10_000)) {
          LOG.warn("Writes still queued at close [{}]", b);
        }
      });
      LOG.info("Write batches [{}{}]", String.join("; ",
          batchers.values().stream().filter(b -> b.batches() > 0).map(WriteBatcher::toString).toList()),
          groupCommit == null ? "" : "; " + groupCommit);
    }
    if (groupCommit != null) {
      groupCommit.close();
    }
    client.close();
    if (embedded != null) {
      embedded.close();
    }
  }
}
