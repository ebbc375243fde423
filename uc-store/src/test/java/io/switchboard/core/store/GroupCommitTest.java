package io.switchboard.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.model.InsertOneModel;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.exec.TaskPools;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit under concurrent writes, on the real embedded store and its journal: writes from many
 * contexts to two collections, each acknowledged only once the journal's sync covers its own record
 * (read back from the journal file: where each record ends against how far the last sync had reached
 * when its caller heard), and syncs shared (fewer syncs than writes). The batchers' bulk writes and
 * the syncs run on different threads (a {@code store} pool of several; hundreds of writes queued at
 * once), so a batch is applied while the one before is being synced, and later batches (fewer queued)
 * are synced by the drain itself: the test fails if anyone is told before that batch's own sync.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class GroupCommitTest {

  private static final int CONTEXTS = 8;
  private static final int WRITES_PER_CONTEXT = 60;

  @TempDir
  Path dir;

  private TaskPools pools;
  private EmbeddedMongo embedded;
  private MongoStore store;

  @BeforeEach
  void start(Vertx vertx) {
    pools = new TaskPools(vertx, new TaskPools.Sizes(4, 2000, 1, 1, 1, 1));
    store = vertx.executeBlocking(() -> {
      // No checkpoint within the test (one an hour): the journal stays one file to read back.
      embedded = EmbeddedMongo.start(dir, EmbeddedMongo.Encoding.BSON, EmbeddedMongo.COMPRESSED,
          EmbeddedMongo.Durability.JOURNAL, Duration.ofHours(1));
      return MongoStore.open(new SwitchboardConfig.Store(dir, Optional.empty(), "switchboard"), embedded, pools.store());
    }).await();
  }

  @AfterEach
  void stop(Vertx vertx) {
    vertx.executeBlocking(() -> {
      store.close();
      return null;
    }).await();
    pools.close().await();
  }

  @Test
  void eachWriteIsAcknowledgedOnlyAfterASyncThatCoversItsRecord(Vertx vertx) throws Exception {
    StoreJournal journal = embedded.journal();
    long syncsBefore = journal.syncs();
    // Batches of at most 100, and the pool held until every context has submitted: the first batches leave
    // more than OVERLAP_AT waiting, so their syncs go to store-sync while the next is applied, however fast
    // a batch is applied (in process, it no longer takes a wire round trip for the queue to build up).
    WriteBatcher messages = new WriteBatcher(vertx, store, "messages", 100, WriteBatcher.QUEUE_LIMIT);
    WriteBatcher bindings = new WriteBatcher(vertx, store, "bindings", 100, WriteBatcher.QUEUE_LIMIT);
    CountDownLatch release = holdStorePool(4);
    CountDownLatch submitted = new CountDownLatch(CONTEXTS);
    // Per written _id: where the last sync had reached when its caller was told.
    Map<String, StoreJournal.Synced> heard = new ConcurrentHashMap<>();
    List<Future<Void>> all = new ArrayList<>();
    for (int c = 0; c < CONTEXTS; c++) {
      Context context = vertx.getOrCreateContext();
      int ctx = c;
      all.add(Future.<Void>future(done -> context.runOnContext(v -> {
        List<Future<Void>> mine = new ArrayList<>();
        for (int i = 0; i < WRITES_PER_CONTEXT; i++) {
          String id = "m-" + ctx + "-" + i;
          WriteBatcher target = i % 3 == 0 ? bindings : messages;
          Future<Void> write = target.write(new InsertOneModel<>(new Document("_id", id).append("text", "x".repeat(200))));
          mine.add(write.onSuccess(x -> heard.put(id, journal.synced())));
          if (i % 10 == 9) {
            // An update of an earlier document: a record of its own, acknowledged after its own sync too.
            String earlier = "m-" + ctx + "-" + (i - 1);
            WriteBatcher same = (i - 1) % 3 == 0 ? bindings : messages;
            mine.add(same.write(new UpdateOneModel<>(Filters.eq("_id", earlier), Updates.set("updated", true)))
                .onSuccess(x -> heard.put(earlier + "/update", journal.synced())));
          }
        }
        Future.all(mine).<Void>mapEmpty().onComplete(done);
        submitted.countDown();
      })));
    }
    assertTrue(submitted.await(30, TimeUnit.SECONDS), "every context submitted");
    release.countDown();
    Future.all(all).await();

    int writes = CONTEXTS * (WRITES_PER_CONTEXT + WRITES_PER_CONTEXT / 10);
    assertEquals(writes, heard.size());
    Map<String, Long> recordEnds = recordEnds(journal);
    long file = heard.values().iterator().next().number();
    heard.forEach((id, synced) -> {
      Long end = recordEnds.get(id);
      assertNotNull(end, id + ": its record is in the journal");
      assertEquals(file, synced.number(), "one journal file throughout (no checkpoint)");
      assertTrue(end <= synced.bytes(), id + " acknowledged before a sync covered its record: the record ends at "
          + end + ", the last sync reached " + synced.bytes());
    });
    long syncs = journal.syncs() - syncsBefore;
    assertTrue(syncs >= 1 && syncs < writes, "syncs shared by the writes: " + syncs + " for " + writes);
    assertEquals(writes, messages.written() + bindings.written());
    assertTrue(store.groupCommitSyncs() > 0, "some batches were synced on the store-sync thread while the next was applied");
  }

  /** Holds the store pool's {@code threads} until the returned latch is released: writes queue meanwhile. */
  private CountDownLatch holdStorePool(int threads) throws InterruptedException {
    CountDownLatch running = new CountDownLatch(threads);
    CountDownLatch release = new CountDownLatch(1);
    for (int i = 0; i < threads; i++) {
      pools.store().submit(() -> {
        running.countDown();
        return release.await(60, TimeUnit.SECONDS);
      });
    }
    assertTrue(running.await(30, TimeUnit.SECONDS), "the pool's threads are held");
    return release;
  }

  /**
   * Where each record of the current journal file ends, by {@code _id} (an update's as {@code id/update}: the
   * second record of that {@code _id}).
   */
  private static Map<String, Long> recordEnds(StoreJournal journal) throws Exception {
    List<Long> numbers = StoreJournal.numbers(journalDir(journal));
    Path file = StoreJournal.file(journalDir(journal), numbers.get(numbers.size() - 1));
    List<JournalReplay.Entry> entries = JournalReplay.read(file).entries();
    ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file));
    Map<String, Long> ends = new HashMap<>();
    for (JournalReplay.Entry e : entries) {
      int length = in.getInt(in.position());
      in.position(in.position() + StoreJournal.HEADER_BYTES + length);
      String id = String.valueOf(e.key());
      ends.put(ends.containsKey(id) ? id + "/update" : id, (long) in.position());
    }
    return ends;
  }

  private static Path journalDir(StoreJournal journal) {
    return journal.directory();
  }
}
