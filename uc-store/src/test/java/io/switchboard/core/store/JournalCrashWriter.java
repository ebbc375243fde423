package io.switchboard.core.store;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Updates;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import org.bson.Document;

/**
 * The embedded store, journaled, as a process of its own that writes until it is killed: each write
 * announced on standard output before it is sent ({@code op <collection> <id> <value>}) and again once made
 * durable as a 202 would be ({@code ack ...}), so that a test can kill it with SIGKILL at any moment and
 * check every acknowledged write in the reopened store (and know the one that was in flight). Per
 * round: a message inserted (unique {@code seq}), the one before it updated, every seventh an older one
 * deleted, and one of five users given a new unique extension. Checkpoints every {@code checkpointMillis}.
 * Not a test: run by {@link JournalCrashTest}.
 *
 * <pre>JournalCrashWriter &lt;dir&gt; &lt;checkpointMillis&gt;</pre>
 */
public final class JournalCrashWriter {

  private static void write(PrintStream out, EmbeddedMongo embedded, String what, Runnable write) {
    out.println("op " + what);
    out.flush();
    write.run();
    embedded.commit();
    out.println("ack " + what);
    out.flush();
  }

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    Duration checkpoints = Duration.ofMillis(Long.parseLong(args[1]));
    PrintStream out = System.out;
    EmbeddedMongo embedded = EmbeddedMongo.start(dir, EmbeddedMongo.Encoding.BSON, EmbeddedMongo.COMPRESSED,
        EmbeddedMongo.Durability.JOURNAL, checkpoints);
    try (MongoClient client = MongoClients.create(embedded.connectionString())) {
      MongoCollection<Document> messages = client.getDatabase("crash").getCollection("messages");
      MongoCollection<Document> users = client.getDatabase("crash").getCollection("users");
      messages.createIndex(Indexes.ascending("seq"), new IndexOptions().unique(true));
      users.createIndex(Indexes.ascending("extension"), new IndexOptions().unique(true));
      embedded.commit();
      out.println("ready");
      out.flush();
      for (int i = 0; ; i++) {
        String id = "m" + i;
        int seq = i;
        write(out, embedded, "messages " + id + " STORED", () -> messages.insertOne(new Document("_id", id)
            .append("seq", seq).append("state", "STORED").append("text", "message number " + seq)));
        if (i > 0) {
          String previous = "m" + (i - 1);
          write(out, embedded, "messages " + previous + " DELIVERED",
              () -> messages.updateOne(Filters.eq("_id", previous), Updates.set("state", "DELIVERED")));
        }
        if (i >= 7 && i % 7 == 0) {
          String old = "m" + (i - 7);
          write(out, embedded, "messages " + old + " -", () -> messages.deleteOne(Filters.eq("_id", old)));
        }
        String user = "u" + (i % 5);
        String extension = "e" + i;
        write(out, embedded, "users " + user + " " + extension, () -> users.replaceOne(Filters.eq("_id", user),
            new Document("_id", user).append("extension", extension), new ReplaceOptions().upsert(true)));
      }
    }
  }
}
