package io.switchboard.presence;

import io.switchboard.api.Caller;
import io.switchboard.api.presence.RulesRequest;
import io.switchboard.api.presence.WatcherRule;
import io.switchboard.api.presence.PresenceSet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.EventAddresses;
import io.switchboard.core.sip.Binding;
import io.switchboard.core.sip.BindingStore;
import io.switchboard.core.testing.SipTestServer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What consoles were shown is no longer primed for every buddy relation at start (1,000,000 of them
 * at 100,000 users): profiles loaded from the store, then a rules change before any other change
 * still tells each console watcher exactly what their own view became, and the pending watcher
 * nothing.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
class ConsoleViewsAfterStartTest {

  private Vertx vertx;
  private SipTestServer server;
  private final List<JsonObject> updates = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) throws Exception {
    this.vertx = vertx;
    server = new SipTestServer(vertx, dir, Map.of("presence.default-rule", "confirm"));
    // Bob's phone registered before the restart: its binding comes back with the others at start.
    server.bindingStore = stored -> new BindingStore() {
      @Override
      public Future<List<Binding>> loadAll() {
        String contact = "sip:bob@127.0.0.1:5999";
        return stored.loadAll().map(all -> List.of(new Binding("bob", contact, contact, Instant.now().plusSeconds(3600),
            "bob-call", 1, 1f, "desk", List.of(), "udp", "127.0.0.1:5999", null)));
      }

      @Override
      public Future<Void> save(Binding binding) {
        return stored.save(binding);
      }

      @Override
      public Future<Void> remove(String username, String key) {
        return stored.remove(username, key);
      }

      @Override
      public Future<Void> removeAll(String username) {
        return stored.removeAll(username);
      }
    };
    PresenceService[] presence = new PresenceService[1];
    server.beforeSipStart.add(t -> presence[0] = new PresenceService(vertx, t.config, t.health, t.users, t.sip,
        new MongoPresenceStore(vertx, t.store)));
    server.start().await();
    // As a restart finds them: bob registered and away by hand, fan1 allowed and fan3 polite-blocked by his rules,
    // fan2 nobody decided (pending); each of them has bob on their buddy list.
    Document bob = new Document("_id", "bob").append("version", 1L)
        .append("manual", new Document("state", "away").append("note", null).append("until", null))
        .append("rules", List.of(rule("fan1", "allow"), rule("fan3", "polite-block")))
        .append("buddies", List.of()).append("pending", List.of());
    var profiles = server.store.database().getCollection("presence");
    vertx.executeBlocking(() -> profiles.insertMany(List.of(bob, fan("fan1"), fan("fan2"), fan("fan3")))).await();
    Future.<Void>future(p -> vertx.getOrCreateContext().runOnContext(v -> vertx.eventBus()
        .<JsonObject>consumer(EventAddresses.PRESENCE_UPDATE, m -> updates.add(m.body())).completion().onComplete(p)))
        .await();
    presence[0].start().await();
  }

  private static Document rule(String watcher, String action) {
    return new Document("watcher", watcher).append("action", action);
  }

  private static Document fan(String user) {
    return new Document("_id", user).append("version", 1L).append("rules", List.of()).append("pending", List.of())
        .append("buddies", List.of(new Document("username", "bob").append("group", "g").append("displayName", "Bob")));
  }

  @AfterEach
  void stop() {
    server.stop().await();
  }

  private static String line(JsonObject u) {
    return u.getString("watcher") + " " + u.getJsonObject("presence").getString("state");
  }

  @Test
  void aRulesChangeFirstTellsEachWatcherWhatTheirOwnViewBecame() throws Exception {
    // fan1 saw bob away and is now polite-blocked: offline; fan3 saw offline and is now allowed: away.
    vertx.eventBus().request(EventAddresses.PRESENCE_RULES, RulesRequest.put(Caller.user("bob"),
        List.of(new WatcherRule("fan1", "polite-block"), new WatcherRule("fan3", "allow"))).toJson()).await();
    // Then bob's own change: only fan3, allowed now, hears it (its event marks the end).
    vertx.eventBus().request(EventAddresses.PRESENCE_SET, new PresenceSet(Caller.user("bob"), "dnd", null, null).toJson())
        .await();
    Promise<Void> last = Promise.promise();
    long timer = vertx.setPeriodic(50, t -> {
      if (updates.stream().anyMatch(u -> line(u).equals("fan3 dnd"))) {
        last.tryComplete();
      }
    });
    try {
      last.future().await(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("fan3 heard no dnd: " + updates, e);
    } finally {
      vertx.cancelTimer(timer);
    }
    assertTrue(last.future().succeeded(), () -> "fan3 heard dnd: " + updates);
    List<String> heard = updates.stream().map(ConsoleViewsAfterStartTest::line).toList();
    assertEquals(3, heard.size(), "each watcher's own view, fan2 (pending) nothing: " + heard);
    // The rules change reaches bob's watchers in no particular order; bob's change after it.
    assertEquals(Set.of("fan1 offline", "fan3 away"), Set.copyOf(heard.subList(0, 2)), heard::toString);
    assertEquals("fan3 dnd", heard.get(2));
  }
}
