package io.switchboard.core.store;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The embedded store's engine (mongo-java-server on the tuned H2 file, BSON-typed maps, as EmbeddedMongo opens it) as a process of its own on a
 * loopback port, so that a benchmark can pause it ({@code kill -STOP}) under a running Switchboard
 * given its {@code mongo.uri}. Not a test: run by bench/stall.sh.
 *
 * <pre>StandaloneStore &lt;port&gt; &lt;dir&gt;</pre>
 */
public final class StandaloneStore {

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    Path dir = Files.createDirectories(Path.of(args[1]));
    Path file = dir.resolve("switchboard.mv");
    StoreFileFormat.migrateIfNeeded(file);
    org.h2.mvstore.MVStore mvStore = EmbeddedMongo.openTuned(file, true);
    StoreFileFormat.requireBson(mvStore);
    H2Backend backend = new BsonH2Backend(mvStore);
    MongoServer server = new MongoServer(backend);
    server.bind("127.0.0.1", port);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.shutdown(); // closes the backend, which commits
    }, "store-shutdown"));
    System.out.println("store listening on mongodb://127.0.0.1:" + port + " [pid: " + ProcessHandle.current().pid() + "]");
    new CountDownLatch(1).await(); // until SIGTERM
  }
}
