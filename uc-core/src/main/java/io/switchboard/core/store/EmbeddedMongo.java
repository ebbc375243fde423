package io.switchboard.core.store;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default store: mongo-java-server with its H2 MVStore file backend, bound to a random loopback
 * port, so that the one MongoDB driver code path serves both this and a real cluster.
 */
final class EmbeddedMongo implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMongo.class);

  private final H2Backend backend;
  private final MongoServer server;
  private final InetSocketAddress address;

  private EmbeddedMongo(H2Backend backend, MongoServer server, InetSocketAddress address) {
    this.backend = backend;
    this.server = server;
    this.address = address;
  }

  /** Blocking: opens the file and binds a port. */
  static EmbeddedMongo start(Path dataDir) {
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new StoreException(StoreException.Kind.UNAVAILABLE, null,
          "cannot create data directory " + dataDir.toAbsolutePath() + ": " + e.getMessage(), e);
    }
    Path file = dataDir.resolve("switchboard.mv");
    H2Backend backend = new H2Backend(file.toString());
    MongoServer server = new MongoServer(backend);
    server.bind("127.0.0.1", 0);
    InetSocketAddress address = server.getLocalAddress();
    LOG.info("Embedded store [file: {}, port: {}]", file.toAbsolutePath(), address.getPort());
    return new EmbeddedMongo(backend, server, address);
  }

  String connectionString() {
    return "mongodb://127.0.0.1:" + address.getPort();
  }

  private final Object counter = new Object();
  private final Object committer = new Object();
  private long requested;
  private long committed;

  /**
   * Writes everything written so far to the file, so that it survives a crash of the process.
   * Group commit: an MVStore commit takes milliseconds and commits serialise, so callers that
   * arrive while one runs wait for it and then find their write already covered by the next one.
   * Blocking: worker threads only.
   */
  void commit() {
    long mine;
    synchronized (counter) {
      mine = ++requested;
    }
    synchronized (committer) {
      if (committed >= mine) {
        return; // a commit that started after our write has already finished
      }
      long covering;
      synchronized (counter) {
        covering = requested;
      }
      backend.commit();
      committed = covering;
    }
  }

  @Override
  public void close() {
    server.shutdownNow();
    backend.close();
  }
}
