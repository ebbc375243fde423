package io.switchboard.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import io.switchboard.core.config.SwitchboardConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.bson.types.Binary;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The embedded store's file: what was made durable is there after a restart, and updates reuse its space. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
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

  private static Document message(String id, String text) {
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
}
