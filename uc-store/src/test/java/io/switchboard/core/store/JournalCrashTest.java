package io.switchboard.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal keeps what was acknowledged: a store process killed with SIGKILL in the middle of its writes
 * (and of its checkpoints) reopens with every acknowledged insert, update and delete, and its unique
 * indexes enforced; a record cut short or corrupted at the end of the journal is ignored; a checkpoint
 * leaves an empty journal behind and the file alone holds the documents.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class JournalCrashTest {

  private static final Duration NO_CHECKPOINT_BY_TIME = Duration.ofHours(1);

  @TempDir
  Path dir;

  @Test
  void everyAcknowledgedWriteSurvivesAKillDuringWritesAndCheckpoints() throws Exception {
    Path data = dir.resolve("data");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process writer = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        JournalCrashWriter.class.getName(), data.toString(), "100").redirectErrorStream(true).start();
    List<String> lines = new ArrayList<>();
    int acks = 0;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        lines.add(line);
        if (line.startsWith("ack ") && ++acks == 1500) {
          // SIGKILL (the handle's, which leaves the pipe open to read): no shutdown hook, no last checkpoint
          writer.toHandle().destroyForcibly();
          writer.waitFor(30, TimeUnit.SECONDS);
        }
      } // what it printed before it died is still read, to the end
    } finally {
      writer.destroyForcibly();
    }
    assertTrue(acks >= 1500, "the writer acknowledged 1500 writes before the kill: " + lines.subList(
        Math.max(0, lines.size() - 20), lines.size()));

    // What was acknowledged, per "collection id"; the one write announced and not acknowledged may or may not be there.
    Map<String, String> acked = new HashMap<>();
    String inFlight = null;
    for (String line : lines) {
      if (line.startsWith("op ")) {
        inFlight = line.substring(3);
      } else if (line.startsWith("ack ")) {
        String[] w = line.substring(4).split(" ");
        acked.put(w[0] + " " + w[1], w[2]);
        inFlight = null;
      }
    }

    EmbeddedMongo reopened = EmbeddedMongo.start(data);
    try (MongoClient client = MongoClients.create(reopened.connectionString())) {
      MongoCollection<Document> messages = client.getDatabase("crash").getCollection("messages");
      MongoCollection<Document> users = client.getDatabase("crash").getCollection("users");
      int checked = 0;
      for (Map.Entry<String, String> e : acked.entrySet()) {
        String[] key = e.getKey().split(" ");
        String field = key[0].equals("messages") ? "state" : "extension";
        Document found = (key[0].equals("messages") ? messages : users).find(Filters.eq("_id", key[1])).first();
        String actual = found == null ? "-" : found.getString(field);
        if (inFlight != null && inFlight.startsWith(e.getKey() + " ")) {
          String announced = inFlight.split(" ")[2];
          assertTrue(actual.equals(e.getValue()) || actual.equals(announced), e.getKey() + ": " + actual);
        } else {
          assertEquals(e.getValue(), actual, e.getKey() + " as acknowledged");
          checked++;
        }
      }
      assertTrue(checked > 400, "checked " + checked); // about 480 messages and 5 users, last state each

      // The unique indexes were rebuilt from the documents and hold: a taken seq and a taken extension are refused.
      Document anyMessage = messages.find().first();
      assertNotNull(anyMessage);
      MongoWriteException seqTaken = assertThrows(MongoWriteException.class, () -> messages.insertOne(
          new Document("_id", "again").append("seq", anyMessage.getInteger("seq")).append("state", "STORED")));
      assertEquals(ErrorCategory.DUPLICATE_KEY, ErrorCategory.fromErrorCode(seqTaken.getCode()));
      Document anyUser = users.find().first();
      assertNotNull(anyUser);
      MongoWriteException extensionTaken = assertThrows(MongoWriteException.class, () -> users.insertOne(
          new Document("_id", "u-new").append("extension", anyUser.getString("extension"))));
      assertEquals(ErrorCategory.DUPLICATE_KEY, ErrorCategory.fromErrorCode(extensionTaken.getCode()));
      messages.insertOne(new Document("_id", "m-new").append("seq", -1).append("state", "STORED"));
      reopened.commit();
      assertEquals(1, messages.countDocuments(Filters.eq("seq", -1)));
      // Replayed, then checkpointed at start: one journal file is left, empty.
      assertEquals(1, journalFiles(data).size(), "journal files " + journalFiles(data));
    } finally {
      reopened.close();
    }
  }

  @Test
  void aTornOrCorruptedLastRecordIsIgnored() throws Exception {
    Path data = dir.resolve("data");
    EmbeddedMongo store = open(data);
    try (MongoClient client = MongoClients.create(store.connectionString())) {
      MongoCollection<Document> messages = client.getDatabase("torn").getCollection("messages");
      messages.insertOne(new Document("_id", "a").append("text", "first"));
      messages.insertOne(new Document("_id", "b").append("text", "second"));
      store.commit();
      // The process "crashes" here: an image of its files, the MVStore not committed since the start.
      Path cut = copy(data, dir.resolve("cut"));
      Path corrupted = copy(data, dir.resolve("corrupted"));
      Path appended = copy(data, dir.resolve("appended"));

      truncateLast(cut, 5); // "b"'s record is incomplete
      flipLastByte(corrupted); // "b"'s record fails its CRC
      append(appended, StoreJournal.encode(StoreJournal.PUT, "torn.messages", "c",
          BsonBytesType.encode(new de.bwaldvogel.mongo.bson.Document("_id", "c"))), 11); // "c" half written

      assertEquals(List.of("a"), idsAfterReopen(cut));
      assertEquals(List.of("a"), idsAfterReopen(corrupted));
      assertEquals(List.of("a", "b"), idsAfterReopen(appended));
    } finally {
      store.close();
    }
  }

  @Test
  void aCheckpointEmptiesTheJournalAndTheFileHoldsTheDocuments() throws Exception {
    Path data = dir.resolve("data");
    EmbeddedMongo store = open(data);
    try (MongoClient client = MongoClients.create(store.connectionString())) {
      MongoCollection<Document> messages = client.getDatabase("cp").getCollection("messages");
      messages.createIndex(Indexes.ascending("seq"), new IndexOptions().unique(true));
      for (int i = 0; i < 200; i++) {
        messages.insertOne(new Document("_id", "m" + i).append("seq", i));
      }
      store.commit();
      assertTrue(journalBytes(data) > 200 * 20, "the journal holds the writes: " + journalBytes(data));

      store.checkpoint();
      assertEquals(1, journalFiles(data).size(), "older journal files are deleted: " + journalFiles(data));
      assertEquals(0, journalBytes(data), "the new journal file is empty");

      Path image = copy(data, dir.resolve("image"));
      EmbeddedMongo reopened = open(image);
      try (MongoClient again = MongoClients.create(reopened.connectionString())) {
        MongoCollection<Document> copy = again.getDatabase("cp").getCollection("messages");
        assertEquals(200, copy.countDocuments());
        assertThrows(MongoWriteException.class, () -> copy.insertOne(new Document("_id", "x").append("seq", 7)));
      } finally {
        reopened.close();
      }
    } finally {
      store.close();
    }
  }

  static EmbeddedMongo open(Path data) {
    return EmbeddedMongo.start(data, EmbeddedMongo.Encoding.BSON, EmbeddedMongo.COMPRESSED,
        EmbeddedMongo.Durability.JOURNAL, NO_CHECKPOINT_BY_TIME);
  }

  private static List<String> idsAfterReopen(Path data) {
    EmbeddedMongo store = open(data);
    try (MongoClient client = MongoClients.create(store.connectionString())) {
      List<String> ids = new ArrayList<>();
      client.getDatabase("torn").getCollection("messages").find().sort(new Document("_id", 1))
          .forEach(d -> ids.add(d.getString("_id")));
      return ids;
    } finally {
      store.close();
    }
  }

  private static List<Path> journalFiles(Path data) throws IOException {
    try (Stream<Path> files = Files.list(data.resolve(EmbeddedMongo.JOURNAL_DIR))) {
      return files.sorted().toList();
    }
  }

  private static long journalBytes(Path data) throws IOException {
    long sum = 0;
    for (Path f : journalFiles(data)) {
      sum += Files.size(f);
    }
    return sum;
  }

  private static Path lastJournalFile(Path data) throws IOException {
    List<Path> files = journalFiles(data);
    return files.get(files.size() - 1);
  }

  static Path copy(Path from, Path to) throws IOException {
    try (Stream<Path> tree = Files.walk(from)) {
      for (Path p : tree.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
    return to;
  }

  private static void truncateLast(Path data, int bytes) throws IOException {
    try (FileChannel f = FileChannel.open(lastJournalFile(data), StandardOpenOption.WRITE)) {
      f.truncate(f.size() - bytes);
    }
  }

  private static void flipLastByte(Path data) throws IOException {
    Path file = lastJournalFile(data);
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 1] ^= 0x5a;
    Files.write(file, bytes);
  }

  private static void append(Path data, ByteBuffer record, int bytes) throws IOException {
    try (FileChannel f = FileChannel.open(lastJournalFile(data), StandardOpenOption.APPEND)) {
      f.write(record.limit(bytes));
    }
  }
}
