package io.switchboard.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Updates;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import io.switchboard.core.config.SwitchboardConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.bson.types.Binary;
import org.bson.types.ObjectId;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded store's file: what was made durable is there after a restart, as BSON; its size follows
 * the documents' encoded size; updates reuse its space; a file written by mongo-java-server's own
 * backend (Java-serialised maps) is migrated and its documents found.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class EmbeddedStoreTest {

  @TempDir
  Path dir;

  private MongoStore store;

  private MongoStore open() {
    store = MongoStore.open(new SwitchboardConfig.Store(dir, Optional.empty(), "switchboard"));
    return store;
  }

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  private MongoCollection<Document> messages() {
    return store.database().getCollection("messages");
  }

  private static Document message(Object id, String text) {
    return new Document("_id", id).append("from", "alice").append("to", "bob").append("state", "STORED")
        .append("body", new Binary(text.getBytes())).append("text", text);
  }

  @Test
  void aDurableMessageIsThereAfterTheStoreIsReopened() {
    open();
    messages().insertOne(message("m1", "kept across a restart"));
    store.makeDurable(); // what a 202 waits for
    store.close();
    store = null;

    open();
    Document read = messages().find(Filters.eq("_id", "m1")).first();
    assertNotNull(read, "the message is in the reopened file");
    assertEquals("kept across a restart", read.getString("text"));
    assertEquals("kept across a restart", new String(read.get("body", Binary.class).getData()));
    assertEquals("bob", read.getString("to"));
  }

  /**
   * The collection keeps each document as its BSON bytes (BsonBytesCollection): every way the backend reads
   * and writes them goes through that one map. Inserted, replaced, updated in place, removed, read in both
   * natural orders and by a scan, then again from the reopened file.
   */
  @Test
  void everyReadAndWriteOfTheBackendSeesTheDocumentsAsWritten() {
    open();
    for (int i = 1; i <= 4; i++) {
      messages().insertOne(message("n" + i, "text " + i));
    }
    messages().replaceOne(Filters.eq("_id", "n2"), message("n2", "replaced"));
    messages().updateOne(Filters.eq("_id", "n3"), new Document("$set", new Document("state", "DELIVERED")));
    messages().deleteOne(Filters.eq("_id", "n4"));
    store.makeDurable();
    for (int reopened = 0; reopened < 2; reopened++) {
      List<Object> forwards = messages().find().sort(new Document("$natural", 1)).map(d -> d.get("_id")).into(new ArrayList<>());
      List<Object> backwards = messages().find().sort(new Document("$natural", -1)).map(d -> d.get("_id")).into(new ArrayList<>());
      assertEquals(List.of("n1", "n2", "n3"), forwards);
      assertEquals(List.of("n3", "n2", "n1"), backwards);
      assertEquals("replaced", messages().find(Filters.eq("_id", "n2")).first().getString("text"));
      // A scan: no index on text or state.
      assertEquals(List.of("n3"), messages().find(Filters.eq("state", "DELIVERED")).map(d -> d.get("_id")).into(new ArrayList<>()));
      assertEquals("text 3", messages().find(Filters.eq("state", "DELIVERED")).first().getString("text"));
      assertEquals(3, messages().countDocuments());
      store.close();
      open();
    }
  }

  /**
   * A query naming one {@code _id} and more (a compare-and-set) is answered from that one document
   * (IdNarrowedCollection), with every other condition still applied: the right counts, the right
   * document, nothing else touched, for String and ObjectId keys alike.
   */
  @Test
  void anIdAndStateConditionMatchesOnlyThatDocumentInThatState() {
    open();
    ObjectId oid = new ObjectId();
    messages().insertMany(java.util.List.of(message("m1", "one"), message("m2", "two"), message(oid, "three")));
    var stored = Filters.and(Filters.eq("_id", "m1"), Filters.eq("state", "STORED"));

    assertEquals(1, messages().updateOne(stored, com.mongodb.client.model.Updates.set("state", "DELIVERED")).getModifiedCount());
    assertEquals(0, messages().updateOne(stored, com.mongodb.client.model.Updates.set("state", "EXPIRED")).getMatchedCount(),
        "no longer STORED: the compare-and-set fails");
    assertEquals("DELIVERED", messages().find(Filters.eq("_id", "m1")).first().getString("state"));
    assertEquals("STORED", messages().find(Filters.eq("_id", "m2")).first().getString("state"), "the others untouched");
    assertEquals(0, messages().countDocuments(Filters.and(Filters.eq("_id", "nope"), Filters.eq("state", "STORED"))));
    assertEquals(0, messages().countDocuments(Filters.and(Filters.eq("_id", "m2"), Filters.eq("to", "carol"))));
    Document three = messages().find(Filters.and(Filters.eq("_id", oid), Filters.eq("to", "bob")))
        .projection(new Document("text", 1)).first();
    assertNotNull(three);
    assertEquals("three", three.getString("text"));
    assertEquals(null, three.get("from"), "the projection still applies");
  }

  @Test
  void theFileDoesNotGrowWithRepeatedUpdatesOfOneDocument() throws Exception {
    open();
    String text = "x".repeat(1000);
    messages().insertOne(message("m1", text));
    store.makeDurable();
    Path file = dir.resolve("switchboard.mv");

    // Long enough for old chunks to have become reusable (their retention is one second): from here
    // on a store that reuses space stays at about this size, one that does not keeps growing.
    int first = 0;
    long started = System.nanoTime();
    while (first < 200 || System.nanoTime() - started < TimeUnit.SECONDS.toNanos(3)) {
      update(first++);
    }
    long afterFirst = Files.size(file);
    int total = first * 4;
    for (int i = first; i < total; i++) {
      update(i);
    }
    long afterAll = Files.size(file);

    assertEquals(total - 1, messages().find(Filters.eq("_id", "m1")).first().getInteger("attempts"),
        "the last update is the one stored");
    assertTrue(afterAll <= 2 * afterFirst + (1 << 20),
        "after " + first + " updates the file had " + afterFirst + " bytes, after " + total + " it has " + afterAll);
  }

  private void update(int attempt) {
    messages().updateOne(Filters.eq("_id", "m1"), Updates.set("attempts", attempt));
    store.makeDurable();
  }

  /** _id values of several BSON types: the typed maps order and find each of them. */
  private static List<Object> ids() {
    return List.of("m1", new ObjectId("65f0a1b2c3d4e5f601234567"), 42, 3_000_000_000L, 3_000_000_000.5, 2.5,
        new Document("conversation", "alice|bob").append("seq", 7));
  }

  @Test
  void documentsIndexesAndKeysOfEveryTypeSurviveARestartAsBson() throws Exception {
    open();
    List<Object> ids = ids();
    for (int i = 0; i < ids.size(); i++) {
      messages().insertOne(message(ids.get(i), "text-" + i + "-kept-as-bson"));
    }
    MongoCollection<Document> users = store.database().getCollection("users");
    users.createIndex(Indexes.ascending("name"), new IndexOptions().unique(true));
    users.insertOne(new Document("_id", "u1").append("name", "alice"));
    store.makeDurable();
    store.close();
    store = null;

    assertStoredAsBson(ids.size());

    open();
    for (int i = 0; i < ids.size(); i++) {
      Document read = messages().find(Filters.eq("_id", ids.get(i))).first();
      assertNotNull(read, "found by _id " + ids.get(i));
      assertEquals("text-" + i + "-kept-as-bson", read.getString("text"));
    }
    assertEquals(ids.size(), messages().countDocuments());
    assertNotNull(messages().find(Filters.eq("_id", 3_000_000_000L)).first(), "3000000000 and 3000000000.5 are two keys");
    assertEquals(1, messages().countDocuments(Filters.eq("_id", 3_000_000_000L)));
    MongoCollection<Document> reopenedUsers = store.database().getCollection("users");
    MongoWriteException duplicate = assertThrows(MongoWriteException.class,
        () -> reopenedUsers.insertOne(new Document("_id", "u2").append("name", "alice")));
    assertEquals(ErrorCategory.DUPLICATE_KEY, ErrorCategory.fromErrorCode(duplicate.getCode()),
        "the unique index is enforced after the restart");
    MongoWriteException duplicateId = assertThrows(MongoWriteException.class,
        () -> messages().insertOne(message(42L, "the same _id as 42")));
    assertEquals(ErrorCategory.DUPLICATE_KEY, ErrorCategory.fromErrorCode(duplicateId.getCode()));
  }

  @Test
  void aFileWrittenByThePlainH2BackendIsMigratedAndItsDocumentsFound() throws Exception {
    List<Object> ids = ids();
    Path file = dir.resolve("switchboard.mv");
    try (EmbeddedMongo old = EmbeddedMongo.on(new H2Backend(file.toString()));
        MongoClient client = MongoClients.create(old.connectionString())) {
      MongoDatabase database = client.getDatabase("switchboard");
      for (int i = 0; i < ids.size(); i++) {
        database.getCollection("messages").insertOne(message(ids.get(i), "old-" + i));
      }
      database.getCollection("users").createIndex(Indexes.ascending("name"), new IndexOptions().unique(true));
      database.getCollection("users").insertOne(new Document("_id", "u1").append("name", "alice"));
      database.getCollection("users").insertOne(new Document("name", "bob")); // an ObjectId made by the driver
    }
    assertTrue(contains(Files.readAllBytes(file), "de.bwaldvogel.mongo.bson.Document"),
        "the plain backend wrote Java-serialised documents");

    for (int restart = 0; restart < 2; restart++) { // migrated on the first open, read as BSON on the second
      open();
      for (int i = 0; i < ids.size(); i++) {
        Document read = messages().find(Filters.eq("_id", ids.get(i))).first();
        assertNotNull(read, "after open " + (restart + 1) + ": found by _id " + ids.get(i));
        assertEquals("old-" + i, read.getString("text"));
      }
      MongoCollection<Document> users = store.database().getCollection("users");
      assertEquals(2, users.countDocuments());
      assertNotNull(users.find(Filters.eq("name", "bob")).first());
      assertThrows(MongoWriteException.class, () -> users.insertOne(new Document("_id", "u9").append("name", "alice")),
          "the unique index came across");
      messages().insertOne(message("new-" + restart, "written after the migration"));
      store.makeDurable();
      store.close();
      store = null;
    }
    open();
    assertEquals(ids.size() + 2, messages().countDocuments());
  }

  /** Reads the closed file's maps directly with the BSON types: Java-serialised pages would not decode. */
  private void assertStoredAsBson(int messages) {
    MVStore file = new MVStore.Builder().fileName(dir.resolve("switchboard.mv").toString()).readOnly().open();
    try {
      assertEquals(StoreFileFormat.BSON, file.<String, String>openMap(StoreFileFormat.FORMAT_MAP).get("encoding"));
      MVMap<Object, byte[]> documents = file.openMap("databases.switchboard.messages", BsonH2Backend.collectionMap());
      assertEquals(messages, documents.size());
      for (byte[] bson : documents.values()) {
        de.bwaldvogel.mongo.bson.Document document = BsonBytesType.decode(bson);
        assertTrue(document.get("text").toString().contains("-kept-as-bson"), "decoded from BSON: " + document);
      }
      assertEquals(messages, file.openMap("switchboard.messages._index__id_", BsonH2Backend.indexMap()).size());
    } finally {
      file.close();
    }
  }

  private static boolean contains(byte[] haystack, String needle) {
    byte[] n = needle.getBytes(StandardCharsets.UTF_8);
    outer:
    for (int i = 0; i + n.length <= haystack.length; i++) {
      for (int j = 0; j < n.length; j++) {
        if (haystack[i + j] != n[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
