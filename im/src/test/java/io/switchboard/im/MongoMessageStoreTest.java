package io.switchboard.im;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.core.store.IndexUse;
import io.switchboard.core.store.MongoStore;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
  private EmbeddedMessages opened;

  @BeforeEach
  void open(Vertx vertx, @TempDir Path dir) throws Exception {
    this.vertx = vertx;
    opened = EmbeddedMessages.open(vertx, dir, false);
    mongo = opened.mongo();
    store = opened.messages();
  }

  @AfterEach
  void close() {
    opened.close();
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

  /**
   * With the store's indexes, each query of the message path looks at its own documents only (counted by
   * {@link IndexUse}), however long the history: delivery on registration, the expiry sweep and its
   * compare-and-sets, marking delivered, the conversation list, a history page.
   */
  @Test
  void eachQueryOfTheMessagePathLooksAtItsOwnDocumentsOnly() {
    vertx.executeBlocking(() -> {
      store.createIndexes();
      return null;
    }).await();
    String messages = mongo.database().getName() + ".messages";
    List<java.util.concurrent.CompletableFuture<Void>> history = new java.util.ArrayList<>();
    for (int i = 0; i < 1_500; i++) { // the history: delivered, to others
      StoredMessage m = message("h" + i, "user" + (i % 50), MessageState.DELIVERED, NOW.minus(Duration.ofMinutes(i)));
      history.add(store.insert(m).toCompletionStage().toCompletableFuture());
    }
    history.forEach(java.util.concurrent.CompletableFuture::join);
    store.insert(message("b1", "bob", MessageState.STORED, NOW.minus(Duration.ofDays(9)))).await();
    store.insert(message("b2", "bob", MessageState.STORED, NOW.minus(Duration.ofHours(2)))).await();
    store.insert(message("b3", "bob", MessageState.STORED, NOW.minus(Duration.ofHours(1)))).await();

    long stored = IndexUse.positions(messages, "to_state_created");
    assertEquals(List.of("b1", "b2", "b3"), store.storedFor("bob").await().stream().map(StoredMessage::id).toList());
    assertEquals(3, IndexUse.positions(messages, "to_state_created") - stored, "bob's stored messages, not 1,503");

    long byAge = IndexUse.positions(messages, "state_created");
    long byId = IndexUse.positions(messages, "_id_");
    assertEquals(List.of("b1"), store.expireBefore(NOW.minus(Duration.ofDays(7))).await().stream().map(StoredMessage::id).toList());
    assertEquals(1, IndexUse.positions(messages, "state_created") - byAge, "the sweep walks the old stored ones only");
    assertEquals(1, IndexUse.positions(messages, "_id_") - byId, "and expires each by its _id");

    byId = IndexUse.positions(messages, "_id_");
    assertEquals(true, store.markDelivered("b2", NOW).await());
    assertEquals(false, store.markDelivered("b2", NOW).await());
    assertEquals(2, IndexUse.positions(messages, "_id_") - byId, "marking delivered reads that one message");

    long to = IndexUse.positions(messages, "to_state_created");
    long from = IndexUse.positions(messages, "from_created");
    List<StoredMessage> recent = store.recentFor("user7", 10).await();
    assertEquals(10, recent.size());
    assertEquals("h7", recent.get(0).id(), "newest first");
    assertEquals("h457", recent.get(9).id());
    assertEquals(10, IndexUse.positions(messages, "to_state_created") - to, "the newest 10 of user7's 30 messages");
    assertEquals(0, IndexUse.positions(messages, "from_created") - from, "user7 sent none");

    long page = IndexUse.positions(messages, "conversation_created");
    List<StoredMessage> older = store.history(StoredMessage.conversationOf("alice", "user7"), null, NOW.minus(Duration.ofMinutes(1_000)), 5)
        .await();
    assertEquals(List.of("h1007", "h1057", "h1107", "h1157", "h1207"), older.stream().map(StoredMessage::id).toList());
    assertEquals(5, IndexUse.positions(messages, "conversation_created") - page, "the page of the messages before then");
  }

  /**
   * A history page (the console's and the REST API's) of a 10,000-message conversation reads that page
   * only: the conversation index hands out its entries newest first and the read stops when the page is
   * full, however long the conversation, for the first page and for one further back.
   */
  @Test
  void aHistoryPageOfALongConversationReadsOnlyThePage() {
    vertx.executeBlocking(() -> {
      store.createIndexes();
      return null;
    }).await();
    String messages = mongo.database().getName() + ".messages";
    String conversation = StoredMessage.conversationOf("alice", "bob");
    for (int chunk = 0; chunk < 10; chunk++) {
      List<java.util.concurrent.CompletableFuture<Void>> written = new java.util.ArrayList<>();
      for (int i = chunk * 1_000; i < (chunk + 1) * 1_000; i++) { // m0 the newest, both ways in turn
        String from = i % 2 == 0 ? "alice" : "bob";
        String to = i % 2 == 0 ? "bob" : "alice";
        StoredMessage m = new StoredMessage("m" + i, from, from, to, null, conversation, "text/plain;charset=UTF-8",
            ("m" + i).getBytes(StandardCharsets.UTF_8), "m" + i, MessageState.DELIVERED, NOW.minusSeconds(i), null, 0);
        written.add(store.insert(m).toCompletionStage().toCompletableFuture());
      }
      written.forEach(java.util.concurrent.CompletableFuture::join);
      store.insert(message("other" + chunk, "carol", MessageState.STORED, NOW)).await(); // another conversation
    }

    long read = IndexUse.positions(messages, "conversation_created");
    List<StoredMessage> first = store.history(conversation, null, null, 50).await();
    assertEquals(java.util.stream.IntStream.range(0, 50).mapToObj(i -> "m" + i).toList(),
        first.stream().map(StoredMessage::id).toList(), "the newest 50, newest first");
    assertEquals(50, IndexUse.positions(messages, "conversation_created") - read, "50 documents read, not 10,000");

    read = IndexUse.positions(messages, "conversation_created");
    List<StoredMessage> further = store.history(conversation, null, NOW.minusSeconds(7_000), 20).await();
    assertEquals(java.util.stream.IntStream.range(7_001, 7_021).mapToObj(i -> "m" + i).toList(),
        further.stream().map(StoredMessage::id).toList(), "the 20 before then");
    assertEquals(20, IndexUse.positions(messages, "conversation_created") - read, "20 documents read");
  }
}
