package io.switchboard.im;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.core.store.MongoStore;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The message store against the embedded MongoDB: expiry, order of stored messages, history pages. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class MongoMessageStoreTest {

  private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

  private Vertx vertx;
  private MongoStore mongo;
  private MongoMessageStore store;

  @BeforeEach
  void open(Vertx vertx, @TempDir Path dir) throws Exception {
    this.vertx = vertx;
    var config = TestConfigs.loopback(dir, FreePorts.udpAndTcp(), 0, Map.of()).store();
    mongo = vertx.executeBlocking(() -> MongoStore.open(config)).await();
    store = new MongoMessageStore(vertx, mongo);
  }

  @AfterEach
  void close() {
    vertx.executeBlocking(() -> {
      mongo.close();
      return null;
    }).await();
  }

  private static StoredMessage message(String id, String to, MessageState state, Instant at) {
    return new StoredMessage(id, "alice", "Alice", to, null, StoredMessage.conversationOf("alice", to),
        "text/plain;charset=UTF-8", id.getBytes(StandardCharsets.UTF_8), id, state, at, null, 0);
  }

  @Test
  void storedMessagesPastTheirAgeExpireAndNothingElseDoes() {
    store.insert(message("old-stored", "bob", MessageState.STORED, NOW.minus(Duration.ofDays(8)))).await();
    store.insert(message("old-delivered", "bob", MessageState.DELIVERED, NOW.minus(Duration.ofDays(8)))).await();
    store.insert(message("new-stored", "bob", MessageState.STORED, NOW.minus(Duration.ofHours(1)))).await();

    List<StoredMessage> expired = store.expireBefore(NOW.minus(Duration.ofDays(7))).await();

    assertEquals(List.of("old-stored"), expired.stream().map(StoredMessage::id).toList());
    assertEquals(MessageState.EXPIRED, expired.get(0).state());
    assertEquals(List.of("new-stored"), store.storedFor("bob").await().stream().map(StoredMessage::id).toList(),
        "an expired message is no longer delivered");
    List<StoredMessage> history = store.history(StoredMessage.conversationOf("alice", "bob"), null, null, 10).await();
    assertEquals(List.of("new-stored", "old-delivered", "old-stored"), history.stream().map(StoredMessage::id).toList(),
        "history keeps every message, newest first");
    assertEquals(MessageState.EXPIRED, history.get(2).state());
  }

  @Test
  void storedMessagesComeOldestFirstEvenWithinOneMillisecond() {
    for (int i = 0; i < 5; i++) {
      store.insert(message("m" + i, "carol", MessageState.STORED, NOW)).await();
    }
    assertEquals(List.of("m0", "m1", "m2", "m3", "m4"),
        store.storedFor("carol").await().stream().map(StoredMessage::id).toList());
  }

  @Test
  void aStateChangeIsDurableAndVisible() {
    store.insert(message("x", "bob", MessageState.STORED, NOW)).await();
    assertEquals(true, store.markDelivered("x", NOW.plusSeconds(5)).await());
    StoredMessage read = store.history(StoredMessage.conversationOf("alice", "bob"), null, null, 1).await().get(0);
    assertEquals(MessageState.DELIVERED, read.state());
    assertEquals(NOW.plusSeconds(5), read.deliveredAt());
    assertEquals(List.of(), store.storedFor("bob").await());
  }

  @Test
  void deliveredAtIsWrittenOnceAndOnlyForAStoredMessage() {
    store.insert(message("x", "bob", MessageState.STORED, NOW)).await();
    assertEquals(true, store.markDelivered("x", NOW.plusSeconds(5)).await());
    assertEquals(false, store.markDelivered("x", NOW.plusSeconds(30)).await(), "a late second delivery changes nothing");
    store.insert(message("gone", "bob", MessageState.STORED, NOW.minus(Duration.ofDays(8)))).await();
    store.expireBefore(NOW.minus(Duration.ofDays(7))).await();
    assertEquals(false, store.markDelivered("gone", NOW.plusSeconds(6)).await(), "an expired message stays expired");

    List<StoredMessage> history = store.history(StoredMessage.conversationOf("alice", "bob"), null, null, 5).await();
    assertEquals(NOW.plusSeconds(5), history.get(0).deliveredAt());
    assertEquals(MessageState.EXPIRED, history.get(1).state());
    assertEquals(null, history.get(1).deliveredAt());
    assertEquals(List.of(), store.expireBefore(NOW.plusSeconds(60)).await(), "a delivered message never expires");
  }
}
