package io.switchboard.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.bulk.BulkWriteResult;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.DeleteManyModel;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.InsertOneModel;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.Updates;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.exec.OverloadedException;
import io.switchboard.core.exec.TaskPools;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write batcher on the real embedded store: writes from many contexts complete once durable
 * (read back after a restart), one write at fault fails only its caller, counted writes get their
 * own counts, and a full queue refuses at once. Batches are made deterministic by holding the
 * {@code store} pool's one thread until everything is queued.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class WriteBatcherTest {

  @TempDir
  Path dir;

  private Vertx vertx;
  private TaskPools pools;
  private MongoStore store;

  @BeforeEach
  void start(Vertx vertx) {
    this.vertx = vertx;
    this.pools = new TaskPools(vertx, new TaskPools.Sizes(1, 100, 1, 1, 1, 1));
    open();
  }

  @AfterEach
  void stop() {
    closeStore();
    pools.close().await();
  }

  private void open() {
    store = vertx.executeBlocking(() -> MongoStore.open(new SwitchboardConfig.Store(dir, Optional.empty(), "switchboard"),
        pools.store())).await();
  }

  private void closeStore() {
    if (store != null) {
      MongoStore s = store;
      store = null;
      vertx.executeBlocking(() -> {
        s.close();
        return null;
      }).await();
    }
  }

  private MongoCollection<Document> things() {
    return store.database().getCollection("things");
  }

  /** Holds the store pool's only thread until the returned latch is released: writes queue meanwhile. */
  private CountDownLatch holdStorePool() throws InterruptedException {
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    pools.store().submit(() -> {
      running.countDown();
      return release.await(60, TimeUnit.SECONDS);
    });
    assertTrue(running.await(30, TimeUnit.SECONDS), "the pool's thread is held");
    return release;
  }

  private static Document thing(String id, String extension) {
    return new Document("_id", id).append("extension", extension).append("state", "STORED");
  }

  private static <T> Throwable failureOf(Future<T> f) {
    try {
      f.await();
    } catch (Throwable e) {
      return e;
    }
    return null;
  }

  @Test
  void manyConcurrentWritesCompleteDurableAndSurviveARestart() throws Exception {
    WriteBatcher writes = store.writes(vertx, "things");
    int contexts = 8;
    int perContext = 50;
    List<Future<Void>> all = new ArrayList<>();
    CountDownLatch submitted = new CountDownLatch(contexts);
    // From several event-loop contexts at once, as the SIP edge's contexts submit them.
    for (int c = 0; c < contexts; c++) {
      int context = c;
      vertx.getOrCreateContext().runOnContext(v -> {
        synchronized (all) {
          for (int i = 0; i < perContext; i++) {
            all.add(writes.write(new InsertOneModel<>(thing("c" + context + "-" + i, null))));
          }
        }
        submitted.countDown();
      });
    }
    assertTrue(submitted.await(30, TimeUnit.SECONDS));
    List<Future<Void>> futures;
    synchronized (all) {
      futures = List.copyOf(all);
    }
    Future.all(futures).await();
    assertEquals(contexts * perContext, writes.written());
    assertTrue(writes.batches() >= 1 && writes.batches() <= contexts * perContext, writes.toString());

    closeStore();
    open();
    Set<String> ids = new HashSet<>();
    things().find().forEach(d -> ids.add(d.getString("_id")));
    assertEquals(contexts * perContext, ids.size(), "every acknowledged write is in the reopened file");
    assertTrue(ids.contains("c7-49"));
  }

  @Test
  void writesQueuedTogetherGoAsOneBatchInOrder() throws Exception {
    WriteBatcher writes = store.writes(vertx, "things");
    CountDownLatch release = holdStorePool();
    List<Future<Void>> futures = List.of(
        writes.write(new InsertOneModel<>(thing("a", "100"))),
        writes.write(new UpdateOneModel<>(Filters.eq("_id", "a"), Updates.set("state", "DELIVERED"))),
        writes.write(new ReplaceOneModel<>(Filters.eq("_id", "b"), thing("b", "101"), new ReplaceOptions().upsert(true))),
        writes.write(new InsertOneModel<>(thing("c", "102"))),
        writes.write(new DeleteOneModel<>(Filters.eq("_id", "c"))),
        writes.write(new InsertOneModel<>(thing("d", "103"))),
        writes.write(new InsertOneModel<>(thing("e", "103"))),
        writes.write(new DeleteManyModel<>(Filters.in("_id", "d", "e"))));
    release.countDown();
    Future.all(futures).await();

    assertEquals(1, writes.batches(), "queued while the pool was busy: one batch, " + writes);
    assertEquals(8, writes.largestBatch());
    assertEquals("DELIVERED", things().find(Filters.eq("_id", "a")).first().getString("state"), "the update after its insert");
    assertEquals("101", things().find(Filters.eq("_id", "b")).first().getString("extension"), "upserted");
    assertNull(things().find(Filters.eq("_id", "c")).first(), "deleted after its insert");
    assertEquals(2, things().countDocuments(), "d and e inserted, then deleted together");
  }

  @Test
  void aDuplicateKeyFailsOnlyItsOwnCallerNamingTheField() throws Exception {
    things().createIndex(Indexes.ascending("extension"), new IndexOptions().name("extension").unique(true));
    WriteBatcher writes = store.writes(vertx, "things");
    CountDownLatch release = holdStorePool();
    Future<Void> first = writes.write(new InsertOneModel<>(thing("a", "200")));
    Future<Void> second = writes.write(new InsertOneModel<>(thing("b", "201")));
    Future<Void> duplicate = writes.write(new InsertOneModel<>(thing("c", "200")));
    Future<Void> after = writes.write(new InsertOneModel<>(thing("d", "202")));
    Future<Void> afterThat = writes.write(new UpdateOneModel<>(Filters.eq("_id", "a"), Updates.set("state", "DELIVERED")));
    release.countDown();

    Throwable failure = failureOf(duplicate);
    StoreException conflict = assertInstanceOf(StoreException.class, failure);
    assertEquals(StoreException.Kind.CONFLICT, conflict.kind());
    assertEquals("extension", conflict.field());
    Future.all(first, second, after, afterThat).await();
    assertEquals(1, writes.batches());

    Set<String> ids = new HashSet<>();
    things().find().forEach(d -> ids.add(d.getString("_id")));
    assertEquals(Set.of("a", "b", "d"), ids, "the writes after the one at fault were applied too");
    assertEquals("DELIVERED", things().find(Filters.eq("_id", "a")).first().getString("state"));
  }

  @Test
  void aCountedWriteGetsItsOwnCounts() throws Exception {
    things().insertOne(thing("a", null));
    things().insertOne(thing("b", null).append("state", "EXPIRED"));
    WriteBatcher writes = store.writes(vertx, "things");
    CountDownLatch release = holdStorePool();
    Future<Void> plain = writes.write(new UpdateOneModel<>(Filters.eq("_id", "a"), Updates.inc("attempts", 1)));
    Future<BulkWriteResult> matching = writes.writeCounted(new UpdateOneModel<>(
        Filters.and(Filters.eq("_id", "a"), Filters.eq("state", "STORED")), Updates.set("state", "DELIVERED")));
    Future<BulkWriteResult> notMatching = writes.writeCounted(new UpdateOneModel<>(
        Filters.and(Filters.eq("_id", "b"), Filters.eq("state", "STORED")), Updates.set("state", "DELIVERED")));
    Future<Void> plainAgain = writes.write(new UpdateOneModel<>(Filters.eq("_id", "b"), Updates.inc("attempts", 1)));
    release.countDown();

    assertEquals(1, matching.await().getModifiedCount());
    assertEquals(0, notMatching.await().getModifiedCount());
    Future.all(plain, plainAgain).await();
    assertEquals(1, writes.batches(), "one batch, one commit, with counted writes in it");
    assertEquals(1, things().find(Filters.eq("_id", "b")).first().getInteger("attempts"));
  }

  @Test
  void pastTheQueueLimitAWriteIsRefusedAtOnce() throws Exception {
    WriteBatcher writes = new WriteBatcher(vertx, store, "things", 500, 3);
    CountDownLatch release = holdStorePool();
    List<Future<Void>> accepted = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      accepted.add(writes.write(new InsertOneModel<>(thing("q" + i, null))));
    }
    Future<Void> refused = writes.write(new InsertOneModel<>(thing("q3", null)));
    assertInstanceOf(OverloadedException.class, failureOf(refused), "refused, not queued");
    assertEquals(1, writes.refused());
    release.countDown();

    Future.all(accepted).await();
    assertEquals(3, things().countDocuments(), "the accepted ones were written, the refused one not");
    assertTrue(writes.awaitIdle(10_000));
  }
}
