package io.switchboard.im;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.store.IndexUse;
import io.switchboard.core.store.MongoStore;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Search in the message store against the embedded MongoDB: what a user may see and nothing else, every
 * word in any case, words taken literally, a sender, a date range, pages; and each query reads the
 * user's own messages only, however many others the store holds.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class MessageSearchTest {

  private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

  private Vertx vertx;
  private MongoStore mongo;
  private MongoMessageStore store;
  private EmbeddedMessages opened;

  @BeforeEach
  void open(Vertx vertx, @TempDir Path dir) throws Exception {
    this.vertx = vertx;
    opened = EmbeddedMessages.open(vertx, dir, true);
    mongo = opened.mongo();
    store = opened.messages();
  }

  @AfterEach
  void close() {
    opened.close();
  }

  private static StoredMessage oneToOne(String id, String from, String to, String text, MessageState state, Instant at) {
    return new StoredMessage(id, from, from.toUpperCase(), to, null, StoredMessage.conversationOf(from, to),
        "text/plain;charset=UTF-8", text.getBytes(StandardCharsets.UTF_8), text, state, at, null, 0);
  }

  private static StoredMessage roomCopy(String id, String from, String to, String room, String text, Instant at) {
    return new StoredMessage(id, from, from.toUpperCase(), to, room, "room:" + room, "text/plain;charset=UTF-8",
        text.getBytes(StandardCharsets.UTF_8), text, MessageState.DELIVERED, at, at, 0);
  }

  private List<String> ids(MessageSearch search) {
    return store.search(search).await().stream().map(StoredMessage::id).toList();
  }

  private static MessageSearch words(String user, String q) {
    return new MessageSearch(user, MessageSearch.wordsOf(q), null, null, null, null, 50);
  }

  /** In runs of 500: the store's write queue refuses beyond 2,000 waiting (OverloadedException). */
  private void insertAll(List<StoredMessage> messages) {
    for (int from = 0; from < messages.size(); from += 500) {
      List<CompletableFuture<Void>> written = new ArrayList<>();
      messages.subList(from, Math.min(messages.size(), from + 500))
          .forEach(m -> written.add(store.insert(m).toCompletionStage().toCompletableFuture()));
      written.forEach(CompletableFuture::join);
    }
  }

  @Test
  void findsWhatTheUserMaySeeWithEveryWordInAnyCase() {
    insertAll(List.of(
        oneToOne("to-alice", "bob", "alice", "The Budget report is ready", MessageState.DELIVERED, NOW.minusSeconds(50)),
        oneToOne("stored-for-alice", "carol", "alice", "budget: see the REPORT", MessageState.STORED, NOW.minusSeconds(40)),
        oneToOne("from-alice", "alice", "bob", "Report on the budget, attached", MessageState.DELIVERED, NOW.minusSeconds(30)),
        oneToOne("one-word-only", "bob", "alice", "the budget is fine", MessageState.DELIVERED, NOW.minusSeconds(20)),
        oneToOne("not-hers", "bob", "carol", "budget report for carol", MessageState.DELIVERED, NOW.minusSeconds(10)),
        roomCopy("room-alice", "dave", "alice", "team", "weekly budget report", NOW.minusSeconds(5)),
        roomCopy("room-bob", "dave", "bob", "team", "weekly budget report", NOW.minusSeconds(5))));

    assertEquals(List.of("room-alice", "from-alice", "stored-for-alice", "to-alice"), ids(words("alice", "REPORT budget")),
        "every word, any order and case, newest first; carol's and bob's room copy are not alice's");
    assertEquals(List.of("room-alice", "from-alice", "stored-for-alice", "to-alice"), ids(words("alice", "budg rep")),
        "parts of words");
    assertEquals(List.of("room-bob", "not-hers", "one-word-only", "from-alice", "to-alice"),
        ids(words("bob", "budget")), "bob: his room copy, what he received and what alice sent him");
    assertEquals(List.of(), ids(words("alice", "budget holiday")), "a word no message has");
  }

  @Test
  void wordsAreTakenLiterallyNotAsPatterns() {
    insertAll(List.of(
        oneToOne("dots", "bob", "alice", "version 1.2 (beta) costs $5 [approx]", MessageState.DELIVERED, NOW.minusSeconds(3)),
        oneToOne("no-dots", "bob", "alice", "version 132 beta costs 5 approx", MessageState.DELIVERED, NOW.minusSeconds(2))));

    assertEquals(List.of("dots"), ids(words("alice", "1.2")));
    assertEquals(List.of("dots"), ids(words("alice", "(beta) $5 [approx]")));
    assertEquals(List.of(), ids(words("alice", ".*")), "not a pattern that matches everything");
  }

  @Test
  void aSenderAConversationARoomAndADateRangeNarrowIt() {
    insertAll(List.of(
        oneToOne("bob-old", "bob", "alice", "lunch today?", MessageState.DELIVERED, NOW.minus(Duration.ofDays(3))),
        oneToOne("bob-new", "bob", "alice", "lunch tomorrow?", MessageState.DELIVERED, NOW.minusSeconds(60)),
        oneToOne("alice-to-bob", "alice", "bob", "lunch, yes", MessageState.DELIVERED, NOW.minusSeconds(50)),
        oneToOne("carol", "carol", "alice", "lunch with carol", MessageState.DELIVERED, NOW.minusSeconds(40)),
        roomCopy("room", "bob", "alice", "team", "team lunch", NOW.minusSeconds(30))));

    List<String> lunch = MessageSearch.wordsOf("lunch");
    assertEquals(List.of("room", "bob-new", "bob-old"),
        ids(new MessageSearch("alice", lunch, null, "bob", null, null, 50)), "sent by bob, room included");
    assertEquals(List.of("alice-to-bob", "bob-new", "bob-old"),
        ids(new MessageSearch("alice", lunch, "alice|bob", null, null, null, 50)), "the conversation with bob, both ways");
    assertEquals(List.of("room"), ids(new MessageSearch("alice", lunch, "room:team", null, null, null, 50)));
    assertEquals(List.of("bob-old"),
        ids(new MessageSearch("alice", lunch, null, null, null, NOW.minus(Duration.ofDays(1)), 50)), "before a day ago");
    assertEquals(List.of("room", "carol", "alice-to-bob", "bob-new"),
        ids(new MessageSearch("alice", lunch, null, null, NOW.minus(Duration.ofDays(1)), null, 50)), "after a day ago");
    assertEquals(List.of("room", "bob-new", "bob-old"),
        ids(new MessageSearch("alice", List.of(), null, "bob", null, null, 50)), "a sender without words");
  }

  @Test
  void pagesGoBackInTimeWithoutGapsOrRepeats() {
    List<StoredMessage> many = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      many.add(oneToOne("m" + i, i % 2 == 0 ? "bob" : "alice", i % 2 == 0 ? "alice" : "bob", "status update " + i,
          MessageState.DELIVERED, NOW.minusSeconds(100 - i)));
    }
    insertAll(many);
    List<String> seen = new ArrayList<>();
    Instant before = null;
    for (int page = 0; page < 4; page++) {
      List<StoredMessage> hits = store.search(new MessageSearch("alice", MessageSearch.wordsOf("update"), null, null, null,
          before, 10)).await();
      hits.forEach(m -> seen.add(m.id()));
      if (hits.size() < 10) {
        break;
      }
      before = hits.get(hits.size() - 1).createdAt();
    }
    List<String> expected = new ArrayList<>();
    for (int i = 24; i >= 0; i--) {
      expected.add("m" + i);
    }
    assertEquals(expected, seen);
  }

  /** The user's own index ranges only: the other users' thousands of messages are never read. */
  @Test
  void aSearchReadsTheUsersOwnMessagesOnly() {
    List<StoredMessage> others = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      String to = "user" + (i % 100);
      others.add(oneToOne("o" + i, "sender" + (i % 7), to, "budget report number " + i, MessageState.DELIVERED,
          NOW.minusSeconds(5_000 - i)));
    }
    for (int i = 0; i < 30; i++) {
      others.add(oneToOne("a" + i, "bob", "alice", i == 3 ? "the budget report" : "something else " + i,
          MessageState.DELIVERED, NOW.minusSeconds(100 - i)));
    }
    insertAll(others);
    String messages = mongo.database().getName() + ".messages";
    long to = IndexUse.positions(messages, "to_state_created");
    long from = IndexUse.positions(messages, "from_created");
    long byId = IndexUse.positions(messages, "_id_");

    assertEquals(List.of("a3"), ids(words("alice", "budget report")));

    long read = IndexUse.positions(messages, "to_state_created") - to + IndexUse.positions(messages, "from_created") - from
        + IndexUse.positions(messages, "_id_") - byId;
    assertTrue(read <= 30, "alice's 30 messages at most, not the store's 2,030: read " + read);
  }
}
