package io.switchboard.core.store;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Date;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.codecs.DocumentCodec;
import org.bson.types.Binary;
import org.h2.mvstore.MVStore;

/**
 * The embedded store alone, through the MongoDB driver as the stores use it: message-like documents
 * inserted, updated by {@code _id} and found by {@code _id} from {@code threads} threads (the
 * {@code store} pool), each write followed by the commit a 202 waits for. Prints the rate per tenth
 * of the run (a decline shows as the store grows), bytes on disk per document, heap and resident memory.
 * Not a test: run by bench/store-engine.sh.
 *
 * <pre>EmbeddedStoreBench &lt;mode&gt; &lt;documents&gt; &lt;threads&gt; &lt;dir&gt;</pre>
 *
 * Modes: {@code memory} and {@code bson-memory} (the two engines without a file), {@code h2-default}
 * (mongo-java-server's backend and defaults), {@code h2-unsynced} (our MVStore settings with compressed
 * pages, commits neither synced nor compacted), {@code h2-tuned} (Java-serialised, compressed pages, synced
 * and compacted: the store before BSON), {@code bson-compressed} and {@code bson} (BSON, compressed or plain
 * pages, the MVStore committed and synced for each commit: the store before the journal), {@code journal}
 * (as Switchboard opens the store: BSON, compressed pages, a journal synced for each commit, the MVStore
 * committed at checkpoints) and {@code journal-plain} (the same with plain pages). After each write phase:
 * the disk as it is, then after checkpoints and compactions until nothing moves.
 */
public final class EmbeddedStoreBench {

  private static final byte[] BODY = ("Hello Bob, this is a message of about the size people type on a desk phone or in "
      + "the console: a sentence or two, nothing more. See you at ten?").getBytes();

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    int count = Integer.parseInt(args[1]);
    int threads = Integer.parseInt(args[2]);
    Path dir = Path.of(args[3]);
    Files.createDirectories(dir);
    EmbeddedMongo embedded = switch (mode) {
      case "memory" -> EmbeddedMongo.on(H2Backend.inMemory());
      case "bson-memory" -> EmbeddedMongo.on(new BsonH2Backend(MVStore.open(null)));
      case "h2-default" -> EmbeddedMongo.on(new H2Backend(dir.resolve("switchboard.mv").toString()));
      // Tuned pages and retention, but commits neither synced nor compacted: what the sync costs.
      case "h2-unsynced" -> EmbeddedMongo.on(new H2Backend(EmbeddedMongo.openTuned(dir.resolve("switchboard.mv"), true)));
      case "h2-tuned" -> EmbeddedMongo.start(dir, EmbeddedMongo.Encoding.JAVA_SERIALISED, true);
      case "bson-compressed" -> EmbeddedMongo.start(dir, EmbeddedMongo.Encoding.BSON, true);
      case "bson" -> EmbeddedMongo.start(dir, EmbeddedMongo.Encoding.BSON, false);
      case "journal" -> journaled(dir, true);
      case "journal-plain" -> journaled(dir, false);
      default -> throw new IllegalArgumentException(
          "mode: memory, bson-memory, h2-default, h2-unsynced, h2-tuned, bson-compressed, bson, journal or journal-plain");
    };
    int encoded = new RawBsonDocument(message("m0000000000"), new DocumentCodec()).getByteBuffer().remaining();
    System.out.printf("mode %s, %d documents, %d threads, %d bytes encoded (BSON) each%n", mode, count, threads, encoded);
    try (MongoClient client = MongoClients.create(embedded.connectionString())) {
      MongoCollection<Document> messages = client.getDatabase("bench").getCollection("messages");
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        run("insert", count, pool, threads, i -> {
          messages.insertOne(message(id(i)));
          embedded.commit();
        });
        report(dir, count, encoded);
        settled(embedded, dir, count, encoded);
        run("update", count, pool, threads, i -> {
          // {_id, state} as one document: the driver renders Filters.and as $and, which the engine scans for.
          messages.updateOne(new Document("_id", id(i)).append("state", "STORED"),
              Updates.combine(Updates.set("state", "DELIVERED"), Updates.set("deliveredAt", new Date())));
          embedded.commit();
        });
        report(dir, count, encoded);
        settled(embedded, dir, count, encoded);
        run("find", Math.min(count, 20_000), pool, threads, i -> {
          if (messages.find(Filters.eq("_id", id((int) ((i * 7919L) % count)))).first() == null) {
            throw new IllegalStateException("lost " + id(i));
          }
        });
      } finally {
        pool.shutdown();
      }
    }
    embedded.close();
    System.out.printf("after close: %.1f bytes on disk per document%n", (double) bytesOnDisk(dir) / count);
  }

  private static EmbeddedMongo journaled(Path dir, boolean compressed) {
    return EmbeddedMongo.start(dir, EmbeddedMongo.Encoding.BSON, compressed, EmbeddedMongo.Durability.JOURNAL,
        Checkpoints.EVERY);
  }

  /** The file after checkpoints and compactions until nothing moves (at most 50 runs of 2 MB). */
  private static void settled(EmbeddedMongo embedded, Path dir, int count, int encoded) throws IOException {
    long started = System.nanoTime();
    embedded.settle(50);
    System.out.printf("       settled in %d ms:", (System.nanoTime() - started) / 1_000_000);
    report(dir, count, encoded);
  }

  private interface Op {
    void run(int i) throws Exception;
  }

  private static void run(String name, int count, ExecutorService pool, int threads, Op op) throws Exception {
    AtomicInteger next = new AtomicInteger();
    long cpuBefore = processCpuNanos();
    int tenth = Math.max(1, count / 10);
    long[] doneAt = new long[10];
    AtomicInteger done = new AtomicInteger();
    long start = System.nanoTime();
    List<Future<?>> workers = Stream.<Future<?>>generate(() -> pool.submit(() -> {
      for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
        op.run(i);
        int d = done.incrementAndGet();
        if (d % tenth == 0 && d / tenth <= 10) {
          doneAt[d / tenth - 1] = System.nanoTime();
        }
      }
      return null;
    })).limit(threads).toList();
    for (Future<?> w : workers) {
      w.get();
    }
    long end = System.nanoTime();
    StringBuilder tenths = new StringBuilder();
    long previous = start;
    for (long t : doneAt) {
      if (t > 0) {
        tenths.append(String.format(" %.0f", tenth / ((t - previous) / 1e9)));
        previous = t;
      }
    }
    System.out.printf("%-6s %8d ops  %8.0f ops/s  %6.0f us CPU per op (the whole process)  per tenth:%s%n", name, count,
        count / ((end - start) / 1e9), (processCpuNanos() - cpuBefore) / 1e3 / count, tenths);
  }

  /** CPU time of every thread of this process (engine, driver, checkpoints, GC): a measure the machine's load moves less than rates. */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static void report(Path dir, int count, int encoded) throws IOException {
    long bytes = bytesOnDisk(dir);
    System.gc();
    Runtime rt = Runtime.getRuntime();
    System.out.printf("       disk %.1f MB, %.1f bytes per document (%.2f x encoded), heap used %d MB, resident %s%n",
        bytes / 1e6, (double) bytes / count, (double) bytes / count / encoded,
        (rt.totalMemory() - rt.freeMemory()) >> 20, resident());
  }

  /** The store file and the journal's files. */
  private static long bytesOnDisk(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }

  private static String resident() throws IOException {
    return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS"))
        .map(l -> l.replaceAll("\\s+", " ").substring(7)).findFirst().orElse("?");
  }

  private static String id(int i) {
    return String.format("m%010d", i);
  }

  /** Shaped like MongoMessageStore's documents. */
  private static Document message(String id) {
    return new Document("_id", id).append("from", "alice").append("fromDisplayName", "Alice Example")
        .append("to", "bob").append("room", null).append("conversation", "alice|bob")
        .append("contentType", "text/plain;charset=UTF-8").append("body", new Binary(BODY))
        .append("text", new String(BODY)).append("state", "STORED").append("createdAt", new Date())
        .append("seq", 1L).append("deliveredAt", null).append("attempts", 0);
  }
}
