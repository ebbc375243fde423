package io.switchboard.im;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.store.IndexUse;
import io.switchboard.core.store.MongoStore;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Receipts in the message store (embedded MongoDB): the original found by its IMDN id through its index, recorded once. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class ReceiptStoreTest {

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

  private static StoredMessage cpim(String id, String to, String imdnId) {
    String body = "From: <sip:alice@x>\r\nTo: <sip:" + to + "@x>\r\nNS: imdn <urn:ietf:params:imdn>\r\n"
        + "imdn.Message-ID: " + imdnId + "\r\nimdn.Disposition-Notification: display\r\n\r\n"
        + "Content-Type: text/plain\r\n\r\nhi " + to;
    return new StoredMessage(id, "alice", "Alice", to, null, StoredMessage.conversationOf("alice", to), Cpim.CONTENT_TYPE,
        body.getBytes(StandardCharsets.UTF_8), "hi " + to, MessageState.DELIVERED, NOW, NOW, 0);
  }

  @Test
  void theOriginalIsFoundByItsImdnIdAndEachReceiptRecordedOnce() {
    String messages = mongo.database().getName() + ".messages";
    for (int i = 0; i < 300; i++) { // plain text: not in the index at all
      store.insert(new StoredMessage("t" + i, "alice", "Alice", "bob", null, "alice|bob", "text/plain;charset=UTF-8",
          new byte[] {'x'}, "x", MessageState.DELIVERED, NOW, NOW, 0)).await();
    }
    store.insert(cpim("c1", "bob", "same-id")).await();
    store.insert(cpim("c2", "carol", "same-id")).await(); // one id, two recipients (as a client may reuse one)
    store.insert(cpim("c3", "bob", "other-id")).await();

    long used = IndexUse.positions(messages, "imdn_id");
    assertEquals("c1", store.findByImdnId("bob", "same-id").await().orElseThrow().id());
    assertEquals("c2", store.findByImdnId("carol", "same-id").await().orElseThrow().id());
    assertTrue(store.findByImdnId("dave", "same-id").await().isEmpty());
    assertTrue(IndexUse.positions(messages, "imdn_id") - used <= 6, "the index's slice, not 303 messages");
    assertTrue(store.findByImdnId("bob", "nope").await().isEmpty());

    assertTrue(store.recordReceipt("c1", "delivered", NOW.plusSeconds(1)).await());
    assertFalse(store.recordReceipt("c1", "delivered", NOW.plusSeconds(2)).await(), "once");
    assertTrue(store.recordReceipt("c1", "displayed", NOW.plusSeconds(3)).await());
    StoredMessage c1 = store.find("c1").await().orElseThrow();
    assertEquals(NOW.plusSeconds(3), c1.displayedAt());
    assertEquals(NOW.plusSeconds(3), c1.toBus().displayedAt());
    Document d = vertx.executeBlocking(() -> mongo.database().getCollection("messages")
        .find(new Document("_id", "c1")).first()).await();
    assertEquals(java.util.Date.from(NOW.plusSeconds(1)), d.get("receipts", Document.class).getDate("delivered"));
    assertNull(store.find("c3").await().orElseThrow().displayedAt());
    Document text = vertx.executeBlocking(() -> mongo.database().getCollection("messages")
        .find(new Document("_id", "t1")).first()).await();
    assertFalse(text.containsKey("imdnId"), "a text message has no IMDN id");
    assertNotNull(store.history("alice|bob", null, null, 5).await());
  }
}
