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
 * {@link WriteBatcher} (one bulk + one commit per batch). Prints writes per second and the batches.
 * Not a test: run by bench/write-batches.sh.
 *
 * <pre>WriteBatcherBench &lt;single|batched&gt; &lt;writes&gt; &lt;outstanding&gt; &lt;dir&gt;</pre>
 */
public final class WriteBatcherBench {

  private static final byte[] BODY = ("Hello Bob, this is a message of about the size people type on a desk phone or in "
      + "the console: a sentence or two, nothing more. See you at ten?").getBytes();

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    int writes = Integer.parseInt(args[1]);
    int outstanding = Integer.parseInt(args[2]);
    Path dir = Path.of(args[3]);
    Files.createDirectories(dir);
    Vertx vertx = Vertx.vertx();
    TaskPools pools = TaskPools.withDefaults(vertx);
    MongoStore store = vertx.executeBlocking(() -> MongoStore.open(
        new SwitchboardConfig.Store(dir, Optional.empty(), "bench"), pools.store())).await();
    MongoCollection<Document> messages = store.database().getCollection("messages");
    WriteBatcher batcher = store.writes(vertx, "messages");
    AtomicInteger next = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    Promise<Void> finished = Promise.promise();
    long started = System.nanoTime();
    // Each caller writes, and on completion writes the next, until all are written.
    Runnable[] caller = new Runnable[1];
    caller[0] = () -> {
      int i = next.getAndIncrement();
      if (i >= writes) {
        return;
      }
      Document d = message("m" + i);
      Future<Void> written = mode.equals("batched") ? batcher.write(new InsertOneModel<>(d))
          : MongoCalls.blocking(vertx, store, () -> {
            messages.insertOne(d);
            store.makeDurable();
            return null;
          });
      written.onComplete(r -> {
        if (r.failed()) {
          finished.tryFail(r.cause());
        } else if (done.incrementAndGet() == writes) {
          finished.tryComplete();
        } else {
          caller[0].run();
        }
      });
    };
    vertx.runOnContext(v -> {
      for (int c = 0; c < outstanding; c++) {
        caller[0].run();
      }
    });
    finished.future().await();
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.printf("mode %s, %d writes, %d outstanding: %.0f writes/s (%.1f s); %s; %s%n", mode, writes, outstanding,
        writes / seconds, seconds, batcher, pools.store());
    vertx.executeBlocking(() -> {
      store.close();
      return null;
    }).await();
    pools.close().await();
    vertx.close().await();
  }

  private static Document message(String id) {
    return new Document("_id", id).append("from", "alice").append("to", "bob").append("conversation", "alice|bob")
        .append("contentType", "text/plain").append("body", new Binary(BODY)).append("state", "STORED")
        .append("createdAt", new java.util.Date()).append("attempts", 0);
  }
}
