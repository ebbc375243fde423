package io.switchboard.core.store;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.InsertOneModel;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.exec.TaskPools;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.Document;
import org.bson.types.Binary;

/**
 * The store's write path alone, as a 202 waits for it: message-like documents inserted by
 * {@code outstanding} concurrent callers (SIP requests in flight), each completing once durable,
 * either one {@code insertOne} + commit per task on the {@code store} pool (before) or through the
 * {@link WriteBatcher} (one bulk + one commit per batch). Prints writes per second, each write's time
 * until durable (p50, p99) and the batches.
 * Not a test: run by bench/write-batches.sh.
 *
 * <pre>WriteBatcherBench &lt;single|batched&gt; &lt;writes&gt; &lt;outstanding&gt; &lt;dir&gt; [rate]</pre>
 *
 * <p>With a rate (writes per second), writes are submitted at that rate whatever the earlier ones are
 * doing (open loop, as SIP requests arrive) instead of by {@code outstanding} callers each waiting for its last.
 */
public final class WriteBatcherBench {

  private static final byte[] BODY = ("Hello Bob, this is a message of about the size people type on a desk phone or in "
      + "the console: a sentence or two, nothing more. See you at ten?").getBytes();

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    int writes = Integer.parseInt(args[1]);
    int outstanding = Integer.parseInt(args[2]);
    Path dir = Path.of(args[3]);
    long rate = args.length > 4 ? Long.parseLong(args[4]) : 0;
    Files.createDirectories(dir);
    Vertx vertx = Vertx.vertx();
    TaskPools pools = TaskPools.withDefaults(vertx);
    MongoStore store = vertx.executeBlocking(() -> MongoStore.open(
        new SwitchboardConfig.Store(dir, Optional.empty(), "bench"), pools.store())).await();
    MongoCollection<Document> messages = store.database().getCollection("messages");
    WriteBatcher batcher = store.writes(vertx, "messages");
    // The same run twice: the first warms the JIT up and is not shown.
    pass("warm-up ", mode, writes, outstanding, rate, vertx, pools, store, messages, batcher);
    pass("", mode, writes, outstanding, rate, vertx, pools, store, messages, batcher);
    vertx.executeBlocking(() -> {
      store.close();
      return null;
    }).await();
    pools.close().await();
    vertx.close().await();
  }

  /** One pass: {@code writes} writes, then (unless it is the warm-up) the figures. */
  private static void pass(String pass, String mode, int writes, int outstanding, long rate, Vertx vertx, TaskPools pools,
      MongoStore store, MongoCollection<Document> messages, WriteBatcher batcher) {
    AtomicInteger next = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    long[] latencies = new long[writes];
    Promise<Void> finished = Promise.promise();
    long started = System.nanoTime();
    // Each caller writes, and on completion writes the next, until all are written.
    Runnable[] caller = new Runnable[1];
    caller[0] = () -> {
      int i = next.getAndIncrement();
      if (i >= writes) {
        return;
      }
      Document d = message(pass + "m" + i);
      long sent = System.nanoTime();
      Future<Void> written = mode.equals("batched") ? batcher.write(new InsertOneModel<>(d))
          : MongoCalls.blocking(vertx, store, () -> {
            messages.insertOne(d);
            store.makeDurable();
            return null;
          });
      written.onComplete(r -> {
        latencies[i] = System.nanoTime() - sent;
        if (r.failed()) {
          finished.tryFail(r.cause());
        } else if (done.incrementAndGet() == writes) {
          finished.tryComplete();
        } else if (rate == 0) {
          caller[0].run();
        }
      });
    };
    if (rate > 0) {
      // Open loop, as SIP requests arrive: writes at a fixed rate, whether or not the earlier ones are done.
      vertx.setPeriodic(1, id -> {
        long due = Math.min(writes, (System.nanoTime() - started) * rate / 1_000_000_000L);
        while (next.get() < due) {
          int before = next.get();
          caller[0].run();
          if (next.get() == before) {
            break;
          }
        }
        if (next.get() >= writes) {
          vertx.cancelTimer(id);
        }
      });
    } else {
      vertx.runOnContext(v -> {
        for (int c = 0; c < outstanding; c++) {
          caller[0].run();
        }
      });
    }
    finished.future().await();
    double seconds = (System.nanoTime() - started) / 1e9;
    java.util.Arrays.sort(latencies);
    if (pass.equals("warm-up ")) {
      return;
    }
    System.out.printf("mode %s, %d writes, %d outstanding: %.0f writes/s (%.1f s), each until durable p50 %.1f ms,"
        + " p99 %.1f ms; %s; %s%n", mode, writes, outstanding, writes / seconds, seconds, latencies[writes / 2] / 1e6,
        latencies[writes * 99 / 100] / 1e6, batcher, pools.store());
  }

  private static Document message(String id) {
    return new Document("_id", id).append("from", "alice").append("to", "bob").append("conversation", "alice|bob")
        .append("contentType", "text/plain").append("body", new Binary(BODY)).append("state", "STORED")
        .append("createdAt", new java.util.Date()).append("attempts", 0);
  }
}
