package io.switchboard.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.UpdateManyModel;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.exec.TaskPools;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;
import org.bson.types.Binary;
import org.bson.types.Code;
import org.bson.types.Decimal128;
import org.bson.types.MinKey;
import org.bson.types.ObjectId;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded store's batched writes applied in process ({@link DirectWrites}): the server's wire sees
 * no write command for them (its commands counted), and the same writes give the same documents (every
 * value's BSON type, the field order), the same counts and the same error per write on both paths, a
 * duplicate key in the middle of a batch included. Batches are made deterministic by holding the
 * {@code store} pool's one thread until everything is queued.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class DirectWritesTest {

  private static final JsonWriterSettings CANONICAL = JsonWriterSettings.builder().outputMode(JsonMode.EXTENDED).build();

  @TempDir
  Path dir;

  private Vertx vertx;
  private TaskPools pools;
  private MongoStore store;

  @BeforeEach
  void start(Vertx vertx) {
    this.vertx = vertx;
    this.pools = new TaskPools(vertx, new TaskPools.Sizes(1, 100, 1, 1, 1, 1));
  }

  @AfterEach
  void stop() {
    if (store != null) {
      MongoStore s = store;
      vertx.executeBlocking(() -> {
        s.close();
        return null;
      }).await();
    }
    pools.close().await();
  }

  private SwitchboardConfig.Store config() {
    return new SwitchboardConfig.Store(dir, Optional.empty(), "switchboard");
  }

  /** The embedded backend, counting the commands its wire handles by name. */
  private static final class CountingBackend extends BsonH2Backend {
    final Map<String, AtomicLong> commands = new ConcurrentHashMap<>();

    CountingBackend(MVStore file) {
      super(file);
    }

    @Override
    public Document handleCommand(Channel channel, String database, String command, Document query) {
      commands.computeIfAbsent(command.toLowerCase(), c -> new AtomicLong()).incrementAndGet();
      return super.handleCommand(channel, database, command, query);
    }

    long count(String command) {
      AtomicLong n = commands.get(command);
      return n == null ? 0 : n.get();
    }
  }

  @Test
  void theStoresBatchedWritesSendNoWriteCommandOverTheWire() {
    CountingBackend backend = new CountingBackend(EmbeddedMongo.openTuned(dir.resolve("switchboard.mv"), false));
    store = vertx.executeBlocking(() -> MongoStore.open(config(), EmbeddedMongo.on(backend), pools.store())).await();
    WriteBatcher writes = store.writes(vertx, "things");

    org.bson.Document withoutId = new org.bson.Document("extension", "300");
    List<Future<?>> all = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      all.add(writes.write(new InsertOneModel<>(thing("t" + i, "2" + i))));
    }
    all.add(writes.write(new InsertOneModel<>(withoutId)));
    all.add(writes.write(new UpdateOneModel<>(Filters.eq("_id", "t1"), Updates.set("state", "DELIVERED"))));
    all.add(writes.write(new ReplaceOneModel<>(Filters.eq("_id", "r"), thing("r", "299"), new ReplaceOptions().upsert(true))));
    all.add(writes.write(new DeleteOneModel<>(Filters.eq("_id", "t2"))));
    all.add(writes.writeCounted(new DeleteManyModel<>(Filters.in("_id", "t3", "t4"))));
    Future.all(all).await();

    assertEquals(0, backend.count("insert") + backend.count("update") + backend.count("delete"),
        "no write command on the wire: " + backend.commands);
    MongoCollection<org.bson.Document> things = store.database().getCollection("things");
    assertEquals(19, things.countDocuments(), "20 + 1 + 1 upserted - 3 deleted");
    assertEquals("DELIVERED", things.find(Filters.eq("_id", "t1")).first().getString("state"));
    ObjectId generated = assertInstanceOf(ObjectId.class, withoutId.get("_id"), "an _id given, as the driver gives one");
    assertNotNull(things.find(Filters.eq("_id", generated)).first(), "stored under that _id");

    // The counter sees the wire: the driver's path for the same collection is counted.
    WriteBatcher overWire = new WriteBatcher(vertx, store, "things", WriteBatcher.MAX_BATCH, WriteBatcher.QUEUE_LIMIT, false);
    overWire.write(new InsertOneModel<>(thing("w", "298"))).await();
    assertEquals(1, backend.count("insert"));
  }

  @Test
  void theSameWritesGiveTheSameDocumentsCountsAndErrorsOnBothPaths() throws Exception {
    store = vertx.executeBlocking(() -> MongoStore.open(config(), pools.store())).await();
    Map<Boolean, List<String>> outcomes = new LinkedHashMap<>();
    Map<Boolean, List<String>> documents = new LinkedHashMap<>();
    Map<Boolean, List<String>> backendDocuments = new LinkedHashMap<>();
    for (boolean direct : List.of(true, false)) {
      String name = direct ? "direct" : "wire";
      MongoCollection<org.bson.Document> collection = store.database().getCollection(name);
      collection.createIndex(Indexes.ascending("extension"), new IndexOptions().name("extension").unique(true));
      WriteBatcher writes = new WriteBatcher(vertx, store, name, WriteBatcher.MAX_BATCH, WriteBatcher.QUEUE_LIMIT, direct);
      CountDownLatch release = holdStorePool();
      List<Future<?>> futures = new ArrayList<>();
      for (Supplier<Future<?>> write : sequence(writes)) {
        futures.add(write.get());
      }
      release.countDown();
      List<String> seen = new ArrayList<>();
      for (Future<?> f : futures) {
        seen.add(outcome(f));
      }
      assertEquals(1, writes.batches(), name + ": one batch");
      outcomes.put(direct, seen);
      List<String> stored = new ArrayList<>();
      collection.find().sort(Sorts.ascending("_id")).forEach(d -> stored.add(d.toJson(CANONICAL)));
      documents.put(direct, stored);
      // As the backend holds them (what its indexes compare): Java types and values, before any encoding.
      List<String> held = new ArrayList<>();
      store.embeddedServer().backend().resolveDatabase("switchboard").resolveCollection(name, true).queryAllAsStream()
          .sorted(java.util.Comparator.comparing(d -> (String) d.get("_id")))
          .forEach(d -> held.add(typed(d)));
      backendDocuments.put(direct, held);
    }

    assertEquals(outcomes.get(false), outcomes.get(true), "each write's outcome");
    assertEquals(documents.get(false), documents.get(true), "the documents, their types and field order");
    assertEquals(backendDocuments.get(false), backendDocuments.get(true), "the documents as the backend holds them");
    // What the sequence is meant to show, so that both paths agreeing is no agreement on nothing.
    List<String> direct = outcomes.get(true);
    assertEquals("failed StoreException CONFLICT extension: extension already taken", direct.get(2));
    assertEquals("failed StoreException CONFLICT extension: extension already taken", direct.get(9));
    assertTrue(direct.get(6).contains("matchedCount=1") && direct.get(6).contains("modifiedCount=1"), direct.get(6));
    assertTrue(direct.get(7).contains("matchedCount=0"), direct.get(7));
    assertTrue(direct.get(8).contains("BulkWriteUpsert{index=0, id=BsonString{value='e'}}"), direct.get(8));
    assertTrue(direct.get(13).contains("removedCount=1"), direct.get(13));
    assertEquals(4, documents.get(true).size(), String.join("\n", documents.get(true)));
    assertTrue(documents.get(true).get(0).startsWith("{\"_id\": \"a\", \"extension\": \"100\""), documents.get(true).get(0));
  }

  @Test
  void anUpdateAfterAFailedUpdateInTheSameBatchIsAppliedOnce() throws Exception {
    store = vertx.executeBlocking(() -> MongoStore.open(config(), pools.store())).await();
    MongoCollection<org.bson.Document> things = store.database().getCollection("things");
    things.createIndex(Indexes.ascending("extension"), new IndexOptions().name("extension").unique(true));
    things.insertOne(thing("a", "100"));
    things.insertOne(thing("b", "101"));
    WriteBatcher writes = store.writes(vertx, "things");
    CountDownLatch release = holdStorePool();
    Future<Void> taken = writes.write(new UpdateOneModel<>(Filters.eq("_id", "b"), Updates.set("extension", "100")));
    Future<Void> counted = writes.write(new UpdateOneModel<>(Filters.eq("_id", "a"), Updates.inc("attempts", 1)));
    release.countDown();

    StoreException conflict = assertInstanceOf(StoreException.class, failureOf(taken));
    assertEquals("extension", conflict.field());
    counted.await();
    assertEquals(1, things.find(Filters.eq("_id", "a")).first().getInteger("attempts"), "sent again, applied once");
    assertEquals("101", things.find(Filters.eq("_id", "b")).first().getString("extension"));
  }

  /**
   * Every model the stores submit, Bson filters and updates and plain documents, values of every type
   * the codecs give, a duplicate key among inserts and one in a replacement.
   */
  private static List<Supplier<Future<?>>> sequence(WriteBatcher w) {
    List<Supplier<Future<?>>> s = new ArrayList<>();
    s.add(() -> w.write(new InsertOneModel<>(rich("a", "100"))));
    s.add(() -> w.write(new InsertOneModel<>(thing("b", "101"))));
    s.add(() -> w.write(new InsertOneModel<>(thing("c", "100")))); // 2: duplicate extension
    s.add(() -> w.write(new InsertOneModel<>(thing("d", "102"))));
    s.add(() -> w.write(new UpdateOneModel<>(Filters.eq("_id", "a"), Updates.combine(Updates.set("state", "DELIVERED"),
        Updates.inc("attempts", 1), Updates.set("at", Date.from(Instant.ofEpochMilli(1_700_000_000_123L))),
        Updates.unset("flag")))));
    s.add(() -> w.write(new UpdateOneModel<>(Filters.eq("_id", "n"), Updates.setOnInsert("extension", "103"),
        new UpdateOptions().upsert(true))));
    s.add(() -> w.writeCounted(new UpdateOneModel<>(Filters.and(Filters.eq("_id", "b"), Filters.eq("state", "STORED")),
        Updates.set("state", "DELIVERED")))); // 6: matches
    s.add(() -> w.writeCounted(new UpdateOneModel<>(Filters.and(Filters.eq("_id", "b"), Filters.eq("state", "STORED")),
        Updates.set("state", "DELIVERED")))); // 7: no longer
    s.add(() -> w.writeCounted(new ReplaceOneModel<>(Filters.eq("_id", "e"), thing("e", "104"),
        new ReplaceOptions().upsert(true)))); // 8: upserted
    s.add(() -> w.write(new ReplaceOneModel<>(Filters.eq("_id", "d"), thing("d", "101")))); // 9: duplicate extension
    s.add(() -> w.write(new InsertOneModel<>(thing("f", "105"))));
    s.add(() -> w.write(new UpdateManyModel<>(Filters.in("_id", "d", "f"), Updates.set("state", "EXPIRED"))));
    s.add(() -> w.write(new DeleteManyModel<>(Filters.eq("state", "EXPIRED"))));
    s.add(() -> w.writeCounted(new DeleteOneModel<>(new org.bson.Document("_id", "n").append("extension", "103")))); // 13
    s.add(() -> w.write(new ReplaceOneModel<>(new org.bson.Document("_id", "e"), thing("e", "106").append("n", 2L))));
    s.add(() -> w.write(new InsertOneModel<>(thing("g", "107"))));
    s.add(() -> w.write(new DeleteOneModel<>(Filters.exists("absent"))));
    return s;
  }

  private static org.bson.Document thing(String id, String extension) {
    return new org.bson.Document("_id", id).append("extension", extension).append("state", "STORED");
  }

  /** Fields before {@code _id} (it goes first), nested documents and lists, each BSON type the codecs write. */
  private static org.bson.Document rich(String id, String extension) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("z", 1);
    map.put("a", List.of("x", 2L));
    return new org.bson.Document("extension", extension).append("_id", id).append("state", "STORED")
        .append("int", 7).append("long", 1L << 40).append("double", 2.5).append("bool", true).append("nothing", null)
        .append("date", new Date(1_600_000_000_456L)).append("instant", Instant.ofEpochSecond(1_650_000_000L, 789_123_456))
        .append("oid", new ObjectId("0123456789abcdef01234567"))
        .append("nested", new org.bson.Document("b", 1).append("_id", "inner").append("list", List.of(1, "two", 3.0)))
        .append("map", map).append("bin", new Binary(new byte[] {1, 2, 3})).append("bytes", new byte[] {4, 5})
        .append("uuid", new Binary((byte) 4, new byte[16])).append("legacy", new Binary((byte) 3, new byte[] {
            1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0}))
        .append("dec", Decimal128.parse("12.345")).append("short", (short) 3).append("code", new Code("f()"))
        .append("min", new MinKey()).append("pattern", java.util.regex.Pattern.compile("^a.*", java.util.regex.Pattern.CASE_INSENSITIVE))
        .append("flag", "gone");
  }

  /** Each value with its Java class, nested documents and lists too. */
  private static String typed(Object value) {
    if (value instanceof Map<?, ?> map) {
      StringBuilder out = new StringBuilder("{");
      map.forEach((k, v) -> out.append(k).append('=').append(typed(v)).append(", "));
      return out.append('}').toString();
    } else if (value instanceof List<?> list) {
      return list.stream().map(DirectWritesTest::typed).toList().toString();
    } else if (value instanceof de.bwaldvogel.mongo.bson.BinData bin) {
      return "BinData" + java.util.Arrays.toString(bin.getData());
    } else if (value instanceof de.bwaldvogel.mongo.bson.BsonJavaScript js) {
      return "BsonJavaScript:" + js.getCode();
    } else if (value instanceof de.bwaldvogel.mongo.bson.LegacyUUID uuid) {
      return "LegacyUUID:" + uuid.getUuid();
    }
    return value == null ? "null" : value.getClass().getSimpleName() + ":" + value;
  }

  private static String outcome(Future<?> f) {
    Throwable failure = failureOf(f);
    if (failure == null) {
      Object result = f.result();
      return result instanceof BulkWriteResult r ? "ok " + r : "ok";
    }
    if (failure instanceof StoreException e) {
      return "failed StoreException " + e.kind() + " " + e.field() + ": " + e.getMessage();
    }
    return "failed " + failure;
  }

  private static Throwable failureOf(Future<?> f) {
    try {
      f.await();
    } catch (Throwable e) {
      return e;
    }
    return null;
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
}
