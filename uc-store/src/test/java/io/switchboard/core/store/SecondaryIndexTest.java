package io.switchboard.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import io.switchboard.core.config.SwitchboardConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Non-unique indexes of the embedded store ({@link BsonSecondaryIndex}) and unique indexes answering
 * queries with more conditions ({@link BsonUniqueIndex}): every query gives the same documents as a
 * scan of a twin collection without those indexes, after inserts, updates that move documents between
 * keys, deletes and a reopen of the file; and the queries that an index can serve are served by it,
 * looking at the matching documents only ({@link IndexUse}), not at the whole collection.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class SecondaryIndexTest {

  private static final String[] USERS = {"alice", "bob", "carol", "dave", "erin", "frank"};
  private static final String[] STATES = {"STORED", "DELIVERED", "EXPIRED"};
  private static final long T0 = 1_700_000_000_000L;

  @TempDir
  Path dir;

  private MongoStore store;

  private void open() {
    store = MongoStore.open(new SwitchboardConfig.Store(dir, Optional.empty(), "switchboard"));
  }

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  private MongoCollection<Document> indexed() {
    return store.database().getCollection("messages");
  }

  /** The same documents, only the _id index: what a scan answers. */
  private MongoCollection<Document> scanned() {
    return store.database().getCollection("scanned");
  }

  private static Document message(int i, Random random) {
    Document d = new Document("_id", "m" + i)
        .append("to", USERS[random.nextInt(USERS.length)])
        .append("from", USERS[random.nextInt(USERS.length)])
        .append("state", STATES[random.nextInt(STATES.length)])
        .append("createdAt", new Date(T0 + random.nextInt(100_000)))
        .append("seq", (long) i)
        .append("attempts", random.nextInt(4));
    if (i % 7 == 0) {
      d.append("tags", List.of("t" + random.nextInt(3), "t" + (3 + random.nextInt(3))));
    }
    if (i % 11 == 0) {
      d.remove("from"); // a document without an indexed field
    }
    return d;
  }

  private void insert(int from, int to, Random random) {
    List<Document> docs = new ArrayList<>();
    for (int i = from; i < to; i++) {
      docs.add(message(i, random));
    }
    indexed().insertMany(docs.stream().map(d -> new Document(d)).toList());
    scanned().insertMany(docs);
  }

  private void createIndexes() {
    indexed().createIndex(Indexes.ascending("to", "state", "createdAt", "seq"), new IndexOptions().name("to_state_created"));
    indexed().createIndex(Indexes.ascending("state", "createdAt"), new IndexOptions().name("state_created"));
    indexed().createIndex(Indexes.ascending("to"), new IndexOptions().name("to"));
    indexed().createIndex(Indexes.ascending("from"), new IndexOptions().name("from"));
    indexed().createIndex(Indexes.ascending("tags"), new IndexOptions().name("tags"));
    indexed().createIndex(Indexes.ascending("attempts"), new IndexOptions().name("attempts"));
  }

  private static List<Bson> queries() {
    Date middle = new Date(T0 + 50_000);
    return List.of(
        Filters.eq("to", "bob"),
        Filters.and(Filters.eq("to", "bob"), Filters.eq("state", "STORED")),
        Filters.and(Filters.eq("state", "STORED"), Filters.lt("createdAt", middle)),
        Filters.and(Filters.eq("state", "STORED"), Filters.lte("createdAt", middle)),
        Filters.and(Filters.eq("state", "DELIVERED"), Filters.gt("createdAt", middle)),
        Filters.and(Filters.eq("state", "EXPIRED"), Filters.gte("createdAt", middle)),
        Filters.and(Filters.eq("state", "STORED"), Filters.gt("createdAt", new Date(T0 + 10_000)),
            Filters.lt("createdAt", new Date(T0 + 20_000))),
        Filters.and(Filters.eq("to", "carol"), Filters.eq("state", "STORED"), Filters.lt("createdAt", middle)),
        Filters.eq("state", "STORED"),
        Filters.eq("from", "dave"),
        Filters.eq("from", null),
        Filters.exists("from", false),
        Filters.eq("tags", "t1"),
        Filters.eq("tags", List.of("t0", "t3")),
        Filters.eq("attempts", 2),
        Filters.eq("attempts", 2.0),
        Filters.eq("attempts", 2L),
        Filters.gt("attempts", 1),
        Filters.and(Filters.eq("_id", "m5"), Filters.eq("state", "STORED")),
        Filters.and(Filters.eq("_id", "m6"), Filters.eq("to", "erin")),
        Filters.or(Filters.eq("to", "alice"), Filters.eq("from", "alice")),
        Filters.and(Filters.eq("to", "frank"), Filters.ne("state", "STORED")),
        Filters.and(Filters.eq("to", "nobody"), Filters.eq("state", "STORED")));
  }

  private void assertSameAsScan(String when) {
    for (Bson query : queries()) {
      TreeSet<String> viaIndex = ids(indexed().find(query));
      TreeSet<String> viaScan = ids(scanned().find(query));
      assertEquals(viaScan, viaIndex, when + ": " + query.toBsonDocument());
    }
    // Sorted and limited as the stores ask.
    Bson stored = Filters.and(Filters.eq("to", "bob"), Filters.eq("state", "STORED"));
    assertEquals(list(scanned().find(stored).sort(Sorts.ascending("createdAt", "seq"))),
        list(indexed().find(stored).sort(Sorts.ascending("createdAt", "seq"))), when + ": sorted");
    assertEquals(list(scanned().find(Filters.eq("to", "bob")).sort(Sorts.descending("createdAt", "seq")).limit(5)),
        list(indexed().find(Filters.eq("to", "bob")).sort(Sorts.descending("createdAt", "seq")).limit(5)),
        when + ": limited");
    // Pages an index hands out in its order (BsonSecondaryIndex#inOrder), both ways, with ranges and ties.
    Bson carolStored = Filters.and(Filters.eq("to", "carol"), Filters.eq("state", "STORED"));
    List<Document> carols = new ArrayList<>();
    scanned().find(carolStored).sort(Sorts.descending("createdAt")).forEach(carols::add);
    Date third = carols.size() > 2 ? carols.get(2).getDate("createdAt") : new Date(T0);
    Date middle = new Date(T0 + 50_000);
    for (Bson query : List.of(stored, carolStored,
        Filters.and(carolStored, Filters.lt("createdAt", third)),
        Filters.and(carolStored, Filters.lte("createdAt", third)),
        Filters.and(carolStored, Filters.gt("createdAt", third)),
        Filters.and(carolStored, Filters.gte("createdAt", third)),
        Filters.and(Filters.eq("state", "STORED"), Filters.gt("createdAt", middle)),
        Filters.and(Filters.eq("state", "DELIVERED"), Filters.lte("createdAt", middle)))) {
      for (Bson order : List.of(Sorts.ascending("createdAt", "seq"), Sorts.descending("createdAt", "seq"),
          Sorts.descending("createdAt"), Sorts.ascending("createdAt"))) {
        for (int[] page : new int[][] {{0, 1}, {0, 3}, {2, 4}, {0, 1000}}) {
          assertEquals(list(scanned().find(query).sort(order).skip(page[0]).limit(page[1])),
              list(indexed().find(query).sort(order).skip(page[0]).limit(page[1])),
              when + ": page " + page[0] + "+" + page[1] + " of " + query.toBsonDocument() + " by " + order.toBsonDocument());
        }
      }
    }
    // Few distinct values: a page ends inside a run of equal ones.
    for (Bson order : List.of(Sorts.ascending("attempts"), Sorts.descending("attempts"))) {
      for (int limit : new int[] {1, 7, 40}) {
        assertEquals(list(scanned().find(Filters.gte("attempts", 1)).sort(order).limit(limit)),
            list(indexed().find(Filters.gte("attempts", 1)).sort(order).limit(limit)),
            when + ": ties by " + order.toBsonDocument() + " limit " + limit);
      }
    }
  }

  private static TreeSet<String> ids(Iterable<Document> docs) {
    TreeSet<String> out = new TreeSet<>();
    docs.forEach(d -> out.add(d.getString("_id")));
    return out;
  }

  private static List<String> list(Iterable<Document> docs) {
    List<String> out = new ArrayList<>();
    docs.forEach(d -> out.add(d.getString("_id")));
    return out;
  }

  @Test
  void indexesAnswerWhatAScanAnswersThroughUpdatesDeletesAndAReopen() {
    Random random = new Random(12);
    open();
    insert(0, 300, random);
    createIndexes(); // built from the documents already there
    insert(300, 600, random);
    assertSameAsScan("after inserts");

    for (MongoCollection<Document> c : List.of(indexed(), scanned())) {
      c.updateMany(Filters.eq("to", "bob"), Updates.set("state", "DELIVERED"));
      c.updateMany(Filters.and(Filters.eq("to", "carol"), Filters.eq("state", "STORED")), Updates.set("to", "bob"));
      c.updateMany(Filters.eq("from", "erin"), Updates.unset("from"));
      c.updateMany(Filters.eq("tags", "t4"), Updates.addToSet("tags", "t1"));
      c.updateMany(Filters.eq("state", "EXPIRED"), Updates.inc("attempts", 1));
      c.deleteMany(Filters.eq("to", "dave"));
      c.deleteOne(Filters.eq("_id", "m7"));
      c.replaceOne(Filters.eq("_id", "m8"), new Document("_id", "m8").append("to", "bob").append("state", "STORED")
          .append("createdAt", new Date(T0)).append("seq", 8L));
    }
    assertSameAsScan("after updates and deletes");
    assertTrue(indexed().countDocuments(Filters.and(Filters.eq("to", "bob"), Filters.eq("state", "STORED"))) > 0,
        "carol's stored messages moved to bob");
    store.makeDurable();
    store.close();
    store = null;

    open();
    assertSameAsScan("after a reopen");
    insert(600, 700, random);
    indexed().deleteMany(Filters.eq("to", "erin"));
    scanned().deleteMany(Filters.eq("to", "erin"));
    assertSameAsScan("after writes on the reopened file");
  }

  /**
   * An index with no entry at all (sparse, and no document has its field, as messages' {@code imdn_id} where
   * no client sends IMDN) is not filled again from the whole collection each time the file is opened, nor
   * when the server asks for it again at start-up; it still answers, from what is written after the reopen
   * on. Made again after a drop, it is filled from the collection again.
   */
  @Test
  void anEmptyIndexIsNotFilledFromItsCollectionAgainAtEachOpen() {
    String ns = "switchboard.receipts";
    Random random = new Random(5);
    open();
    MongoCollection<Document> receipts = store.database().getCollection("receipts");
    receipts.insertMany(java.util.stream.IntStream.range(0, 500).mapToObj(i -> message(i, random)).toList());
    long fills = IndexUse.fills(ns, "imdn_id");
    IndexOptions imdn = new IndexOptions().name("imdn_id").sparse(true);
    receipts.createIndex(Indexes.ascending("imdnId"), imdn);
    assertEquals(fills + 1, IndexUse.fills(ns, "imdn_id"), "a new index is filled from the collection");
    store.makeDurable();
    store.close();
    store = null;

    open();
    receipts = store.database().getCollection("receipts");
    assertEquals(0, receipts.countDocuments(Filters.eq("imdnId", "r1")));
    receipts.createIndex(Indexes.ascending("imdnId"), imdn); // as each start asks for its indexes
    assertEquals(fills + 1, IndexUse.fills(ns, "imdn_id"), "the stored empty index was not filled again");
    receipts.insertOne(message(900, random).append("imdnId", "r1"));
    long served = IndexUse.positions(ns, "imdn_id");
    assertEquals(List.of("m900"), list(receipts.find(Filters.eq("imdnId", "r1"))));
    assertEquals(served + 1, IndexUse.positions(ns, "imdn_id"), "answered by the index");
    store.makeDurable();
    store.close();
    store = null;

    open();
    receipts = store.database().getCollection("receipts");
    assertEquals(List.of("m900"), list(receipts.find(Filters.eq("imdnId", "r1"))));
    assertEquals(fills + 1, IndexUse.fills(ns, "imdn_id"));
    receipts.dropIndex("imdn_id");
    receipts.insertOne(message(901, random).append("imdnId", "r1"));
    receipts.createIndex(Indexes.ascending("imdnId"), imdn);
    assertEquals(fills + 2, IndexUse.fills(ns, "imdn_id"), "made again after a drop: filled again");
    served = IndexUse.positions(ns, "imdn_id");
    assertEquals(List.of("m900", "m901"), list(receipts.find(Filters.eq("imdnId", "r1")).sort(Sorts.ascending("_id"))));
    assertEquals(served + 2, IndexUse.positions(ns, "imdn_id"), "answered by the index");
  }

  /**
   * A build that failed (a unique index over duplicates) must not leave a map that an open takes for
   * complete: after the duplicates are gone and a restart, the index is built, and enforced over the
   * documents that were there before.
   */
  @Test
  void aUniqueIndexWhoseBuildFailedIsBuiltWhenMadeAgainAfterAReopen() {
    open();
    MongoCollection<Document> codes = store.database().getCollection("codes");
    codes.insertMany(List.of(new Document("_id", 1).append("code", "a"), new Document("_id", 2).append("code", "a"),
        new Document("_id", 3).append("code", "b")));
    IndexOptions unique = new IndexOptions().unique(true).name("code");
    assertThrows(com.mongodb.DuplicateKeyException.class, () -> codes.createIndex(Indexes.ascending("code"), unique));
    codes.deleteOne(Filters.eq("_id", 2));
    store.makeDurable();
    store.close();
    store = null;

    open();
    MongoCollection<Document> again = store.database().getCollection("codes");
    again.createIndex(Indexes.ascending("code"), unique);
    MongoWriteException taken = assertThrows(MongoWriteException.class,
        () -> again.insertOne(new Document("_id", 4).append("code", "a")));
    assertEquals(ErrorCategory.DUPLICATE_KEY, ErrorCategory.fromErrorCode(taken.getCode()));
    assertEquals(List.of(3), again.find(Filters.eq("code", "b")).map(d -> d.getInteger("_id")).into(new ArrayList<>()));
  }

  @Test
  void aQueryAnIndexCanServeLooksAtItsMatchesOnly() {
    Random random = new Random(7);
    open();
    createIndexes();
    insert(0, 2_000, random);

    Bson storedForBob = Filters.and(Filters.eq("to", "bob"), Filters.eq("state", "STORED"));
    long matches = indexed().countDocuments(storedForBob);
    assertTrue(matches > 0 && matches < 300, "a small part of the collection: " + matches);
    long compound = IndexUse.positions("switchboard.messages", "to_state_created");
    long single = IndexUse.positions("switchboard.messages", "to");
    assertEquals(matches, ids(indexed().find(storedForBob)).size());
    assertEquals(matches, IndexUse.positions("switchboard.messages", "to_state_created") - compound,
        "the compound index handed out exactly the matches: no scan of 2,000");
    assertEquals(single, IndexUse.positions("switchboard.messages", "to"), "and the less selective one was not used");

    Bson expired = Filters.and(Filters.eq("state", "STORED"), Filters.lt("createdAt", new Date(T0 + 10_000)));
    long old = ids(scanned().find(expired)).size();
    long before = IndexUse.positions("switchboard.messages", "state_created");
    assertEquals(old, ids(indexed().find(expired)).size());
    assertEquals(old, IndexUse.positions("switchboard.messages", "state_created") - before,
        "the expiry sweep walks the old stored messages only");

    // A sorted page with a limit: only the page is read, whichever way and from wherever it starts.
    Bson delivered = Filters.and(Filters.eq("state", "DELIVERED"));
    assertTrue(ids(indexed().find(delivered)).size() > 500, "a long slice");
    long pages = IndexUse.positions("switchboard.messages", "state_created");
    List<String> newest = list(indexed().find(delivered).sort(Sorts.descending("createdAt")).limit(10));
    assertEquals(list(scanned().find(delivered).sort(Sorts.descending("createdAt")).limit(10)), newest);
    assertEquals(10, IndexUse.positions("switchboard.messages", "state_created") - pages, "a page of 10 read 10 documents");
    Date lastShown = indexed().find(Filters.eq("_id", newest.get(9))).first().getDate("createdAt");
    Bson older = Filters.and(delivered, Filters.lt("createdAt", lastShown));
    pages = IndexUse.positions("switchboard.messages", "state_created");
    assertEquals(list(scanned().find(older).sort(Sorts.descending("createdAt")).limit(10)),
        list(indexed().find(older).sort(Sorts.descending("createdAt")).limit(10)));
    assertEquals(10, IndexUse.positions("switchboard.messages", "state_created") - pages, "and the next page 10 more");

    long byId = IndexUse.positions("switchboard.messages", "_id_");
    assertEquals(1, indexed().updateOne(Filters.and(Filters.eq("_id", "m3"), Filters.ne("state", "GONE")),
        Updates.set("state", "GONE")).getModifiedCount());
    assertEquals(0, indexed().updateOne(Filters.and(Filters.eq("_id", "m3"), Filters.ne("state", "GONE")),
        Updates.set("state", "GONE")).getModifiedCount(), "the compare-and-set fails the second time");
    assertEquals(2, IndexUse.positions("switchboard.messages", "_id_") - byId,
        "a compare-and-set on _id reads that one document, each time");
  }

  @Test
  void aUniqueIndexStillRefusesDuplicatesAndAnswersConjunctions() {
    open();
    MongoCollection<Document> tokens = store.database().getCollection("tokens");
    tokens.createIndex(Indexes.ascending("id"), new IndexOptions().unique(true).name("id"));
    tokens.createIndex(Indexes.ascending("username"), new IndexOptions().name("username"));
    for (int i = 0; i < 50; i++) {
      tokens.insertOne(new Document("_id", "h" + i).append("id", "t" + i).append("username", USERS[i % 3]));
    }
    MongoWriteException duplicate = assertThrows(MongoWriteException.class,
        () -> tokens.insertOne(new Document("_id", "x").append("id", "t1").append("username", "bob")));
    assertEquals(ErrorCategory.DUPLICATE_KEY, ErrorCategory.fromErrorCode(duplicate.getCode()));

    long before = IndexUse.positions("switchboard.tokens", "id");
    assertEquals(1, tokens.deleteOne(Filters.and(Filters.eq("id", "t4"), Filters.eq("username", "bob"))).getDeletedCount());
    assertEquals(0, tokens.deleteOne(Filters.and(Filters.eq("id", "t5"), Filters.eq("username", "bob"))).getDeletedCount(),
        "t5 is carol's");
    assertEquals(2, IndexUse.positions("switchboard.tokens", "id") - before, "the unique index answered both");
    assertEquals(16, tokens.countDocuments(Filters.eq("username", "bob")));
    assertTrue(ids(tokens.find(Filters.eq("username", "carol"))).contains("h5"), "h5 is still there");
  }
}
