package io.switchboard.im;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.core.store.MongoStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Claims of stored messages in the embedded store: one winner, leases that lapse, a refusal that returns it. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class MessageClaimTest {

  private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

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
    store.insert(new StoredMessage("m1", "alice", "Alice", "bob", null, StoredMessage.conversationOf("alice", "bob"),
        "text/plain;charset=UTF-8", "hi".getBytes(StandardCharsets.UTF_8), "hi", MessageState.STORED, NOW, null, 0))
        .await();
  }

  @AfterEach
  void close() {
    opened.close();
  }

  @Test
  void ofManyClaimsAtOnceExactlyOneWins() {
    List<Future<Boolean>> claims = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      claims.add(store.claim("m1", "node-" + i, NOW, NOW.plusSeconds(60)));
    }
    Future.join(claims).await();
    assertEquals(1, claims.stream().filter(Future::result).count());
    Document d = raw();
    assertEquals(MongoMessageStore.DELIVERING, d.getString("state"));
    assertEquals(List.of("m1"), store.storedFor("bob").await().stream().map(StoredMessage::id).toList(),
        "still listed, so that the order holds across nodes");
    assertEquals(MessageState.STORED, store.storedFor("bob").await().get(0).state(), "reads as stored");
  }

  @Test
  void aLapsedLeaseMayBeClaimedAgainAndARefusalReturnsTheMessage() {
    assertEquals(true, store.claim("m1", "a", NOW, NOW.plusSeconds(60)).await());
    assertEquals(false, store.claim("m1", "b", NOW.plusSeconds(59), NOW.plusSeconds(119)).await(), "lease held");
    assertEquals(true, store.claim("m1", "b", NOW.plusSeconds(61), NOW.plusSeconds(121)).await(), "lease lapsed");

    store.unclaim("m1", "a").await();
    assertEquals("b", raw().getString("claimedBy"), "only the holder of the claim returns it");
    store.unclaim("m1", "b").await();
    Document d = raw();
    assertEquals("STORED", d.getString("state"));
    assertEquals(1, d.getInteger("attempts"));
    assertEquals(null, d.get("claimedBy"));

    assertEquals(true, store.claim("m1", "c", NOW, NOW.plusSeconds(60)).await());
    assertEquals(true, store.markDelivered("m1", NOW.plusSeconds(1)).await(), "a claimed message is delivered");
    assertEquals(false, store.claim("m1", "d", NOW.plusSeconds(120), NOW.plusSeconds(180)).await(), "and stays so");
  }

  private Document raw() {
    return vertx.executeBlocking(() -> mongo.database().getCollection("messages").find(new Document("_id", "m1")).first())
        .await();
  }
}
