package io.switchboard.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded store trusts an index at start only if its build completed. A checkpoint that catches
 * {@code createIndex} in the middle of filling a new index over a collection puts part of the index's map
 * in the file; a process killed then (here: an image of its files taken right after that checkpoint, as a
 * SIGKILL would leave them) starts with that index built again from the documents, while an index whose
 * build had completed is taken as it is. After a crash, the journal's replay rebuilds every index of the
 * collections it touched, non-unique and sparse ones included.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class IndexBuildCrashTest {

  private static final String NS = "build.messages";
  private static final int MESSAGES = 3_000;
  private static final int USERS = 10;
  private static final IndexOptions TO = new IndexOptions().name("to");
  private static final IndexOptions SEQ = new IndexOptions().name("seq").unique(true);
  private static final IndexOptions IMDN = new IndexOptions().name("imdn_id").sparse(true);

  @TempDir
  Path dir;

  private static MongoCollection<Document> messages(MongoClient client) {
    return client.getDatabase("build").getCollection("messages");
  }

  private static void insertMessages(MongoCollection<Document> messages) {
    for (int from = 0; from < MESSAGES; from += 500) {
      messages.insertMany(IntStream.range(from, from + 500).mapToObj(i -> new Document("_id", String.format("m%05d", i))
          .append("to", "u" + i % USERS).append("seq", i).append("text", "message number " + i)).toList());
    }
  }

  /** The messages, then a non-unique index on {@code to} and a sparse one on {@code imdnId} (which none has). */
  private static void insertMessagesIndexedByRecipientAndImdnId(MongoCollection<Document> messages) {
    insertMessages(messages);
    messages.createIndex(Indexes.ascending("to"), TO);
    messages.createIndex(Indexes.ascending("imdnId"), IMDN);
  }

  /** After the {@code n}th entry a build adds: a checkpoint, then an image of the data directory (once). */
  private static Runnable crashImageAfter(int n, EmbeddedMongo store, Path data, Path image) {
    int[] entries = {0};
    return () -> {
      if (++entries[0] == n) {
        store.checkpoint();
        try {
          JournalCrashTest.copy(data, image);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }

  private static List<String> ids(MongoCollection<Document> messages, Bson filter) {
    return messages.find(filter).sort(Sorts.ascending("_id")).map(d -> d.getString("_id")).into(new ArrayList<>());
  }

  private static List<String> expectedTo(String user) {
    return IntStream.range(0, MESSAGES).filter(i -> ("u" + i % USERS).equals(user))
        .mapToObj(i -> String.format("m%05d", i)).toList();
  }

  @Test
  void anIndexWhoseBuildACheckpointCaughtHalfwayIsBuiltAgainAtTheNextStart() throws Exception {
    Path data = dir.resolve("data");
    Path cutInTo = dir.resolve("cut-in-to");
    Path cutInSeq = dir.resolve("cut-in-seq");
    EmbeddedMongo store = JournalCrashTest.open(data);
    try (MongoClient client = MongoClients.create(store.connectionString())) {
      MongoCollection<Document> messages = messages(client);
      insertMessages(messages);
      store.checkpoint();
      IndexBuilds builds = ((BsonH2Backend) store.backend()).indexBuilds();
      builds.afterEachEntry(crashImageAfter(MESSAGES / 3, store, data, cutInTo));
      messages.createIndex(Indexes.ascending("to"), TO);
      builds.afterEachEntry(crashImageAfter(MESSAGES / 3, store, data, cutInSeq));
      messages.createIndex(Indexes.ascending("seq"), SEQ);
      builds.afterEachEntry(() -> { });
      assertEquals(expectedTo("u7"), ids(messages, Filters.eq("to", "u7")), "the running store's index is whole");
    } finally {
      store.close();
    }

    // Killed while "to" was filled: "to" is built again.
    long toFills = IndexUse.fills(NS, "to");
    assertIndexesWhole(cutInTo);
    assertEquals(toFills + 1, IndexUse.fills(NS, "to"), "the part of \"to\" in the file was not trusted");

    // Killed while "seq" was filled: "seq" is built again, "to" (complete) is not.
    toFills = IndexUse.fills(NS, "to");
    long seqFills = IndexUse.fills(NS, "seq");
    assertIndexesWhole(cutInSeq);
    assertEquals(toFills, IndexUse.fills(NS, "to"), "the complete index \"to\" was taken as it is");
    assertEquals(seqFills + 1, IndexUse.fills(NS, "seq"), "the part of \"seq\" in the file was not trusted");
  }

  /** Opens the image, asks for both indexes as each start does, and queries through them. */
  private static void assertIndexesWhole(Path image) {
    EmbeddedMongo store = JournalCrashTest.open(image);
    try (MongoClient client = MongoClients.create(store.connectionString())) {
      MongoCollection<Document> messages = messages(client);
      messages.createIndex(Indexes.ascending("to"), TO);
      messages.createIndex(Indexes.ascending("seq"), SEQ);
      long served = IndexUse.positions(NS, "to");
      assertEquals(expectedTo("u7"), ids(messages, Filters.eq("to", "u7")), image.getFileName() + ": through \"to\"");
      assertEquals(served + MESSAGES / USERS, IndexUse.positions(NS, "to"), "answered by the index");
      assertEquals(List.of("m02999"), ids(messages, Filters.eq("seq", MESSAGES - 1)),
          image.getFileName() + ": through \"seq\"");
      MongoWriteException taken = assertThrows(MongoWriteException.class,
          () -> messages.insertOne(new Document("_id", "again").append("seq", MESSAGES - 1)));
      assertEquals(ErrorCategory.DUPLICATE_KEY, ErrorCategory.fromErrorCode(taken.getCode()));
    } finally {
      store.close();
    }
  }

  @Test
  void aReplayRebuildsTheNonUniqueAndSparseIndexesOfTheCollectionsItTouched() throws Exception {
    Path data = dir.resolve("data");
    Path crashed = dir.resolve("crashed");
    EmbeddedMongo store = JournalCrashTest.open(data);
    try (MongoClient client = MongoClients.create(store.connectionString())) {
      MongoCollection<Document> messages = messages(client);
      insertMessagesIndexedByRecipientAndImdnId(messages);
      store.checkpoint();
      // Journaled only: u7's messages move to u3, three get an IMDN id, one is deleted.
      messages.updateMany(Filters.eq("to", "u7"), Updates.set("to", "u3"));
      messages.updateMany(Filters.in("_id", "m00001", "m00002", "m00003"), Updates.set("imdnId", "r1"));
      messages.deleteOne(Filters.eq("_id", "m00003"));
      store.commit();
      JournalCrashTest.copy(data, crashed); // no checkpoint since: as a SIGKILL leaves the files
    } finally {
      store.close();
    }

    long toFills = IndexUse.fills(NS, "to");
    long imdnFills = IndexUse.fills(NS, "imdn_id");
    EmbeddedMongo reopened = JournalCrashTest.open(crashed);
    try (MongoClient client = MongoClients.create(reopened.connectionString())) {
      MongoCollection<Document> messages = messages(client);
      assertEquals(toFills + 1, IndexUse.fills(NS, "to"), "rebuilt after the replay");
      assertEquals(imdnFills + 1, IndexUse.fills(NS, "imdn_id"), "rebuilt after the replay");
      assertEquals(List.of(), ids(messages, Filters.eq("to", "u7")));
      List<String> u3 = new ArrayList<>(expectedTo("u3"));
      u3.addAll(expectedTo("u7"));
      u3.remove("m00003");
      assertEquals(u3.stream().sorted().toList(), ids(messages, Filters.eq("to", "u3")));
      long served = IndexUse.positions(NS, "imdn_id");
      assertEquals(List.of("m00001", "m00002"), ids(messages, Filters.eq("imdnId", "r1")));
      assertEquals(served + 2, IndexUse.positions(NS, "imdn_id"), "answered by the sparse index");
    } finally {
      reopened.close();
    }
  }

  /**
   * A file from before marks opens as every start opened it before: its index maps, an empty sparse one's
   * included, are taken as built, not filled from their collection; and marked, so that the next start
   * trusts them too.
   */
  @Test
  void aFileFromBeforeMarksOpensWithItsIndexesTakenAsBuilt() {
    Path data = dir.resolve("data");
    EmbeddedMongo store = JournalCrashTest.open(data);
    try (MongoClient client = MongoClients.create(store.connectionString())) {
      MongoCollection<Document> messages = messages(client);
      insertMessagesIndexedByRecipientAndImdnId(messages);
    } finally {
      store.close();
    }
    MVStore file = MVStore.open(data.resolve("switchboard.mv").toString());
    file.removeMap(IndexBuilds.MARKS); // what a file written before marks holds: the same maps, no mark
    file.commit();
    file.close();

    long toFills = IndexUse.fills(NS, "to");
    long imdnFills = IndexUse.fills(NS, "imdn_id");
    for (int start = 1; start <= 2; start++) {
      EmbeddedMongo reopened = JournalCrashTest.open(data);
      try (MongoClient client = MongoClients.create(reopened.connectionString())) {
        MongoCollection<Document> messages = messages(client);
        messages.createIndex(Indexes.ascending("to"), TO); // as each start asks for its indexes
        messages.createIndex(Indexes.ascending("imdnId"), IMDN);
        assertEquals(toFills, IndexUse.fills(NS, "to"), "start " + start + ": \"to\" taken as built");
        assertEquals(imdnFills, IndexUse.fills(NS, "imdn_id"), "start " + start + ": the empty sparse index too");
        long served = IndexUse.positions(NS, "to");
        assertEquals(expectedTo("u7"), ids(messages, Filters.eq("to", "u7")));
        assertEquals(served + MESSAGES / USERS, IndexUse.positions(NS, "to"), "answered by the index");
      } finally {
        reopened.close();
      }
    }
  }
}
