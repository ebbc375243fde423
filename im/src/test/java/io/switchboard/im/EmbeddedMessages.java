package io.switchboard.im;

import io.switchboard.core.store.MongoStore;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.TestConfigs;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Map;

/**
 * A fresh embedded store in a test's directory with the message store on it, opened and closed off the
 * event loop: what the message store's tests each start from.
 */
record EmbeddedMessages(Vertx vertx, MongoStore mongo, MongoMessageStore messages) implements AutoCloseable {

  /** @param indexes whether to create the message indexes (some tests create them themselves) */
  static EmbeddedMessages open(Vertx vertx, Path dir, boolean indexes) throws Exception {
    var config = TestConfigs.loopback(dir, FreePorts.udpAndTcp(), 0, Map.of()).store();
    MongoStore mongo = vertx.executeBlocking(() -> MongoStore.open(config)).await();
    MongoMessageStore messages = new MongoMessageStore(vertx, mongo);
    if (indexes) {
      vertx.executeBlocking(() -> {
        messages.createIndexes();
        return null;
      }).await();
    }
    return new EmbeddedMessages(vertx, mongo, messages);
  }

  @Override
  public void close() {
    vertx.executeBlocking(() -> {
      mongo.close();
      return null;
    }).await();
  }
}
