package io.switchboard.im;

import io.switchboard.core.store.MongoStore;
import io.switchboard.core.testing.TestConfigs;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Not a test: message inserts through {@link MongoMessageStore} (the write batcher, one commit per
 * batch, the embedded store as the server opens it) with random ids (UUID version 4, as before) or
 * {@link MessageIds} (time-ordered), {@code inFlight} at a time as under load; prints the process's CPU
 * per message, the batches and the bytes on disk. Run both side by side so that they share the load:
 *
 * <pre>
 * mvn -B -o -q -pl im -am test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/tmp/cp.txt
 * CP=im/target/test-classes:im/target/classes:$(cat /tmp/cp.txt)
 * for ids in random ordered; do java -cp "$CP" io.switchboard.im.MessageIdOrderBench $ids 60000 200 $(mktemp -d) & done; wait
 * </pre>
 */
public final class MessageIdOrderBench {

  public static void main(String[] args) throws Exception {
    boolean ordered = args[0].equals("ordered");
    int count = Integer.parseInt(args[1]);
    int inFlight = Integer.parseInt(args[2]);
    Path dir = Path.of(args[3]);
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    Vertx vertx = Vertx.vertx();
    var config = TestConfigs.loopback(dir, 0, 0, Map.of()).store();
    MongoStore mongo = vertx.executeBlocking(() -> MongoStore.open(config)).await();
    MongoMessageStore store = new MongoMessageStore(vertx, mongo);
    MessageIds time = new MessageIds(Clock.systemUTC());
    Supplier<String> ids = ordered ? time::next : () -> UUID.randomUUID().toString();
    byte[] body = "Benchmark instant message number 123456 for sink.".getBytes(StandardCharsets.UTF_8);
    long cpu = os.getProcessCpuTime();
    long wall = System.nanoTime();
    AtomicInteger started = new AtomicInteger();
    Promise<Void> done = Promise.promise();
    AtomicInteger finished = new AtomicInteger();
    Runnable[] next = new Runnable[1];
    next[0] = () -> {
      if (started.getAndIncrement() >= count) {
        return;
      }
      Instant now = Instant.now();
      Future<Void> write = store.insert(new StoredMessage(ids.get(), "alice", "Alice Example", "sink", null,
          "alice|sink", "text/plain;charset=UTF-8", body, new String(body, StandardCharsets.UTF_8),
          MessageState.DELIVERED, now, now, 0));
      write.onComplete(r -> {
        if (r.failed()) {
          done.tryFail(r.cause());
        } else if (finished.incrementAndGet() == count) {
          done.tryComplete();
        } else {
          next[0].run();
        }
      });
    };
    vertx.runOnContext(v -> {
      for (int i = 0; i < inFlight; i++) {
        next[0].run();
      }
    });
    done.future().await();
    double cpuMicros = (os.getProcessCpuTime() - cpu) / 1e3 / count;
    double seconds = (System.nanoTime() - wall) / 1e9;
    var batcher = mongo.writes(vertx, "messages");
    System.out.printf("%s ids: %d messages, %d in flight: %.1f s, %.0f/s, %.0f us CPU per message, %d batches (largest %d)%n",
        ordered ? "time-ordered" : "random", count, inFlight, seconds, count / seconds, cpuMicros, batcher.batches(),
        batcher.largestBatch());
    vertx.executeBlocking(() -> {
      mongo.close();
      return null;
    }).await();
    vertx.close().await();
    try (Stream<Path> files = Files.list(dir)) {
      System.out.printf("%s ids: %.0f bytes on disk per message%n", ordered ? "time-ordered" : "random",
          (double) files.mapToLong(f -> f.toFile().length()).sum() / count);
    }
  }
}
