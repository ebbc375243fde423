package io.switchboard.im;

import com.mongodb.client.MongoCollection;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.store.MongoStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.bson.RawBsonDocument;

/**
 * The 1,000,000-message run's first part (bench/million.py): fills a fresh data directory with stored
 * messages through {@link MongoMessageStore} itself (its document shape, its indexes, its batched
 * durable writes), and prints the insert rate per tenth, so that a decline as the store grows shows.
 *
 * <p>Arguments: data dir, count, then recipients as {@code name:stored-each} (e.g. {@code u000000:10})
 * served first, the rest going round-robin to {@code h0000..h0999}; every message is STORED (the backlog
 * scenario D leaves), created over the last hour.
 */
public final class MessageFill {

  private static final int IN_FLIGHT = 1000;
  private static final int HISTORY_USERS = 1000;

  public static void main(String[] args) {
    try {
      fill(args);
    } catch (Throwable e) {
      System.err.println("fill: failed: " + e); // and exit: the store's threads would keep the JVM alive
      System.exit(1);
    }
    System.exit(0);
  }

  private static void fill(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int count = Integer.parseInt(args[1]);
    List<String> recipients = new ArrayList<>();
    for (int i = 2; i < args.length; i++) {
      String[] r = args[i].split(":");
      for (int k = 0; k < Integer.parseInt(r[1]); k++) {
        recipients.add(r[0]);
      }
    }
    Vertx vertx = Vertx.vertx();
    SwitchboardConfig.Store defaults = new SwitchboardConfig.Store(dir, Optional.empty(), "switchboard");
    // Checkpoint thresholds to measure (bench/README, "imhot"): -Dfill.checkpoint-seconds, -Dfill.checkpoint-journal-mb.
    MongoStore store = MongoStore.open(defaults.withCheckpoints(
        Duration.ofSeconds(Long.getLong("fill.checkpoint-seconds", defaults.checkpointInterval().toSeconds())),
        Integer.getInteger("fill.checkpoint-journal-mb", defaults.checkpointJournalMb())));
    MongoMessageStore messages = new MongoMessageStore(vertx, store);
    messages.createIndexes();
    byte[] body = "Bench message: stored for a recipient who is offline, delivered when a device registers."
        .getBytes(StandardCharsets.UTF_8);
    Instant start = Instant.now().minus(Duration.ofHours(1));
    MessageIds ids = new MessageIds(Clock.systemUTC()); // time-ordered, as the server's
    Semaphore slots = new Semaphore(IN_FLIGHT);
    AtomicReference<Throwable> failed = new AtomicReference<>();
    int tenth = Math.max(1, count / 10);
    long began = System.nanoTime();
    long segmentBegan = began;
    System.out.printf("fill: %,d messages into %s%n", count, dir);
    System.out.println("segment          messages/s   file MB");
    // Paced, to measure what a rate such as scenario C's costs (checkpoints amortise over what they find): -Dfill.rate.
    long rate = Long.getLong("fill.rate", 0);
    for (int i = 0; i < count && failed.get() == null; i++) {
      if (rate > 0) {
        java.util.concurrent.locks.LockSupport.parkNanos(began + i * 1_000_000_000L / rate - System.nanoTime());
      }
      String to = i < recipients.size() ? recipients.get(i) : String.format("h%04d", i % HISTORY_USERS);
      String from = String.format("s%03d", i % 10);
      StoredMessage m = new StoredMessage(ids.next(), from, from, to, null,
          StoredMessage.conversationOf(from, to), "text/plain;charset=UTF-8", body, new String(body, StandardCharsets.UTF_8),
          MessageState.STORED, start.plusMillis(i * 3_600_000L / count), null, 0);
      slots.acquire();
      Future<Void> written = messages.insert(m);
      written.onComplete(r -> {
        if (r.failed()) {
          failed.compareAndSet(null, r.cause());
        }
        slots.release();
      });
      if ((i + 1) % tenth == 0) {
        slots.acquire(IN_FLIGHT); // this tenth durable
        slots.release(IN_FLIGHT);
        long now = System.nanoTime();
        System.out.printf("%,9d-%,9d %9.0f %9.1f%n", i + 2 - tenth, i + 1, tenth / ((now - segmentBegan) / 1e9),
            fileBytes(dir) / 1e6);
        segmentBegan = now;
      }
    }
    slots.acquire(IN_FLIGHT);
    if (failed.get() != null) {
      throw new IllegalStateException("a write failed", failed.get());
    }
    double seconds = (System.nanoTime() - began) / 1e9;
    MongoCollection<RawBsonDocument> raw = store.database().getCollection("messages", RawBsonDocument.class);
    long sampled = 0;
    long encoded = 0;
    for (RawBsonDocument d : raw.find().limit(1000)) {
      sampled++;
      encoded += d.getByteBuffer().remaining();
    }
    long stored = raw.estimatedDocumentCount(); // the map's size: countDocuments would read every document
    store.close();
    vertx.close().await();
    long file = fileBytes(dir);
    System.out.printf("fill: %,d messages in %.0f s (%.0f/s); %,d in the collection%n", count, seconds, count / seconds, stored);
    System.out.printf("fill: file %,d bytes after close = %.0f B per message; encoded BSON %.0f B (%,d sampled): %.2f x%n",
        file, (double) file / stored, (double) encoded / sampled, sampled, (double) file / stored / ((double) encoded / sampled));
    System.out.printf("fill: heap used %d MB, resident %s%n",
        (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20, resident());
  }

  static long fileBytes(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  private static String resident() throws IOException {
    return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS"))
        .map(l -> l.replaceAll("\\s+", " ")).findFirst().orElse("?");
  }
}
