package io.switchboard.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.switchboard.core.store.MongoStore;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.TestConfigs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The presence profile store on the real embedded MongoDB: changes racing for one profile all land. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
class MongoPresenceStoreTest {

  private static final Instant NOW = Instant.parse("2026-01-02T03:04:05.678Z");

  private Vertx vertx;
  private MongoStore mongo;
  private MongoPresenceStore store;

  @BeforeEach
  void open(Vertx vertx, @TempDir Path dir) throws Exception {
    this.vertx = vertx;
    var config = TestConfigs.loopback(dir, FreePorts.udpAndTcp(), 0, Map.of()).store();
    mongo = vertx.executeBlocking(() -> MongoStore.open(config)).await();
    store = new MongoPresenceStore(vertx, mongo);
  }

  @AfterEach
  void close() {
    vertx.executeBlocking(() -> {
      mongo.close();
      return null;
    }).await();
  }

  @Test
  void changesRacingForOneProfileAllLand() throws Exception {
    // Every change starts from the same known profile, as concurrent requests on one node do.
    PresenceProfile known = PresenceProfile.empty("bob");
    List<Future<PresenceProfile>> racing = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      String n = String.valueOf(i);
      racing.add(store.update(known, p -> p.withPending("watcher" + n, NOW)));
      racing.add(store.update(known, p -> p.withBuddy(new PresenceProfile.Buddy("buddy" + n, null, null))));
    }
    Future.all(racing).await(100, TimeUnit.SECONDS);

    PresenceProfile stored = store.loadAll().await().get(0);
    assertEquals(6, stored.pending().size(), stored.toString());
    assertEquals(6, stored.buddies().size(), stored.toString());
    assertEquals(12, stored.version(), "one version per change");
    Set<Long> versions = racing.stream().map(f -> f.result().version()).collect(Collectors.toSet());
    assertEquals(12, versions.size(), "each change landed on its own version: " + versions);
  }

  @Test
  void aChangeThatChangesNothingWritesNothing() throws Exception {
    PresenceProfile once = store.update(PresenceProfile.empty("bob"), p -> p.withPending("carol", NOW)).await();
    PresenceProfile again = store.update(once, p -> p.withPending("carol", NOW.plusSeconds(60))).await();
    assertSame(once, again);
    assertEquals(1, store.loadAll().await().get(0).version());
  }

  @Test
  void aProfileStoredBeforeVersionsIsUpdatedInPlace() throws Exception {
    vertx.executeBlocking(() -> mongo.database().getCollection("presence").insertOne(new Document("_id", "bob")
        .append("rules", List.of(new Document("watcher", "*").append("action", "allow")))
        .append("buddies", List.of()).append("pending", List.of()))).await();
    PresenceProfile legacy = store.loadAll().await().get(0);
    assertEquals(0, legacy.version());
    // Two writers both think it is at version 0: the second loses the race, reloads and lands on top.
    store.update(legacy, p -> p.withPending("carol", NOW)).await();
    PresenceProfile after = store.update(legacy, p -> p.withBuddy(new PresenceProfile.Buddy("alice", "Team", null)))
        .await();
    assertEquals(2, after.version());
    PresenceProfile stored = store.loadAll().await().get(0);
    assertEquals(after, stored);
    assertEquals(List.of(new Rule("*", Rule.Action.ALLOW)), stored.rules());
    assertEquals("carol", stored.pending().get(0).watcher());
    assertEquals("alice", stored.buddies().get(0).username());
  }
}
