package io.switchboard.core.store;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import io.switchboard.core.config.SwitchboardConfig;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bson.Document;

/**
 * What opening the embedded store costs with a history whose messages have no {@code imdnId} (no client
 * sends IMDN): the store opened, and one query through the sparse {@code imdn_id} index, wall time and the
 * process's CPU. Not a test.
 *
 * <pre>
 * StoreOpenTime &lt;data-dir&gt; write &lt;messages&gt;   # a fresh store with that many messages
 * StoreOpenTime &lt;data-dir&gt; open                 # open it again (on a copy: it writes)
 * </pre>
 */
public final class StoreOpenTime {

  public static void main(String[] args) {
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long began = System.nanoTime();
    long cpu = os.getProcessCpuTime();
    try (MongoStore store = MongoStore.open(new SwitchboardConfig.Store(Path.of(args[0]), Optional.empty(), "switchboard"))) {
      MongoCollection<Document> messages = store.database().getCollection("messages");
      if (args[1].equals("write")) {
        messages.createIndex(Indexes.ascending("imdnId"), new IndexOptions().name("imdn_id").sparse(true));
        int count = Integer.parseInt(args[2]);
        for (int from = 0; from < count; from += 1000) {
          List<Document> batch = new ArrayList<>();
          for (int i = from; i < Math.min(count, from + 1000); i++) {
            batch.add(new Document("_id", String.format("m%08d", i)).append("to", "u" + i % 1000).append("from", "u" + i % 777)
                .append("state", "DELIVERED").append("createdAt", new Date()).append("seq", (long) i)
                .append("body", "hello there number " + i));
          }
          messages.insertMany(batch);
        }
        store.makeDurable();
      }
      boolean found = messages.find(Filters.eq("imdnId", "none")).first() != null;
      System.out.printf("store-open: %s: opened and queried in %.0f ms, process CPU %.0f ms (found: %s)%n", args[1],
          (System.nanoTime() - began) / 1e6, (os.getProcessCpuTime() - cpu) / 1e6, found);
    }
  }
}
