package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.EventAddresses;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.Sipp;
import io.switchboard.core.testing.SippTrace;
import io.switchboard.core.testing.TestConfigs;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.WebClientSession;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Buddy lists, manual state and privacy rules through the API, seen by browsers and by a SIP watcher. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class PresenceApiTest {

  private Switchboard switchboard;
  private Vertx vertx;
  private int sipPort;

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) {
    this.vertx = vertx;
    try {
      sipPort = FreePorts.udpAndTcp();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    switchboard = new Switchboard(vertx, TestConfigs.loopback(dir, sipPort, 0, Map.of("admin.password", "admin-password")),
        s -> { });
    switchboard.start().await();
    WebClientSession admin = login("admin", "admin-password");
    for (String[] u : new String[][] {{"alice", "1001"}, {"bob", "1002"}, {"carol", "1003"}}) {
      assertEquals(201, admin.post("/api/users").sendJsonObject(new JsonObject().put("username", u[0])
          .put("displayName", u[0].substring(0, 1).toUpperCase() + u[0].substring(1)).put("extension", u[1])
          .put("password", u[0] + "-web-pw").put("sipPassword", u[0] + "-sip-pw")).await().statusCode());
    }
  }

  @AfterEach
  void stop() {
    switchboard.stop().await();
  }

  private WebClientSession login(String user, String password) {
    return Api.login(vertx, switchboard, user, password);
  }

  private static void assertError(HttpResponse<Buffer> r, int status, String field) {
    Api.assertError(r, status, field);
  }

  private static JsonObject presenceOf(WebClientSession c, String user) {
    HttpResponse<Buffer> r = c.get("/api/presence/" + user).send().await();
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getJsonObject("presence");
  }

  @Test
  void buddiesStatesAndRules() throws Exception {
    WebClientSession alice = login("alice", "alice-web-pw");
    WebClientSession bob = login("bob", "bob-web-pw");
    WebClientSession carol = login("carol", "carol-web-pw");

    HttpResponse<Buffer> added = alice.post("/api/buddies")
        .sendJsonObject(new JsonObject().put("username", "bob").put("group", "Team")).await();
    assertEquals(201, added.statusCode(), added.bodyAsString());
    JsonObject buddy = added.bodyAsJsonObject().getJsonArray("buddies").getJsonObject(0);
    assertEquals("Team", buddy.getString("group"));
    assertEquals("Bob", buddy.getString("displayName"));
    assertEquals(false, buddy.getBoolean("visible"), "bob has not allowed alice yet");

    Promise<JsonObject> update = Promise.promise();
    vertx.eventBus().<JsonObject>consumer(EventAddresses.PRESENCE_UPDATE, m -> {
      if (m.body().getString("watcher").equals("alice") && "available".equals(
          m.body().getJsonObject("presence").getString("state"))) {
        update.tryComplete(m.body());
      }
    });
    assertEquals(201, bob.post("/api/buddies").sendJsonObject(new JsonObject().put("username", "alice")).await()
        .statusCode());
    assertEquals("offline", presenceOf(alice, "bob").getString("state"));
    Sipp.Result reg = Sipp.scenario("register.xml", sipPort).key("domain", "switchboard.test").key("aor", "bob")
        .key("contact", "bob-desk").key("expires", "300").auth("bob", "bob-sip-pw").run();
    assertTrue(reg.passed(), reg::toString);
    assertEquals("bob", update.future().await(10, TimeUnit.SECONDS).getString("presentity"), "the console hears it");
    assertEquals("available", presenceOf(alice, "1002").getString("state"));

    assertEquals(200, bob.put("/api/presence/me").sendJsonObject(new JsonObject().put("state", "away")
        .put("note", "lunch")).await().statusCode());
    JsonObject away = presenceOf(alice, "bob");
    assertEquals("away", away.getString("state"));
    assertEquals("lunch", away.getString("note"));
    assertError(carol.get("/api/presence/bob").send().await(), 403, null);

    HttpResponse<Buffer> rules = bob.put("/api/presence/rules").sendJsonObject(new JsonObject().put("rules",
        new JsonArray().add(new JsonObject().put("watcher", "alice").put("action", "polite-block")))).await();
    assertEquals(200, rules.statusCode(), rules.bodyAsString());
    assertEquals("offline", presenceOf(alice, "bob").getString("state"), "polite-block: offline");
    assertEquals("polite-block", bob.get("/api/presence/rules").send().await().bodyAsJsonObject()
        .getJsonArray("rules").getJsonObject(0).getString("action"));

    assertEquals(204, alice.delete("/api/buddies/bob").send().await().statusCode());
    assertTrue(alice.get("/api/buddies").send().await().bodyAsJsonObject().getJsonArray("buddies").isEmpty());
  }

  @Test
  void aSipWatcherSeesTheStateSetInTheBrowser() throws Exception {
    WebClientSession bob = login("bob", "bob-web-pw");
    assertEquals(200, bob.put("/api/presence/rules").sendJsonObject(new JsonObject().put("rules",
        new JsonArray().add(new JsonObject().put("watcher", "*").put("action", "allow")))).await().statusCode());
    Sipp.Result reg = Sipp.scenario("register.xml", sipPort).key("domain", "switchboard.test").key("aor", "bob")
        .key("contact", "bob-desk").key("expires", "300").auth("bob", "bob-sip-pw").run();
    assertTrue(reg.passed(), reg::toString);
    Promise<Void> first = Promise.promise();
    vertx.eventBus().<JsonObject>consumer(EventAddresses.PRESENCE_NOTIFIED, m -> first.tryComplete());
    Sipp.Running carolPhone = Sipp.scenario("watch-2-then-unsubscribe.xml", sipPort).key("domain", "switchboard.test")
        .key("from", "carol").key("to", "1002").key("expires", "600").key("event", "presence")
        .key("accept", "application/pidf+xml").auth("carol", "carol-sip-pw").start();
    first.future().await(20, TimeUnit.SECONDS);
    assertEquals(200, bob.put("/api/presence/me").sendJsonObject(new JsonObject().put("state", "dnd")
        .put("note", "in a meeting")).await().statusCode());
    Sipp.Result watched = carolPhone.await();
    assertTrue(watched.passed(), watched::toString);
    List<SippTrace.Message> notifies = SippTrace.received(watched.messages(), "NOTIFY");
    assertTrue(notifies.get(0).body().contains("<basic>open</basic>"), notifies.get(0).body());
    assertTrue(notifies.get(1).body().contains("<rpid:busy/>") && notifies.get(1).body().contains("in a meeting"),
        notifies.get(1).body());
  }

  @Test
  void presenceErrorsSayWhatIsWrong() {
    WebClientSession alice = login("alice", "alice-web-pw");
    assertError(alice.put("/api/presence/me").sendJsonObject(new JsonObject().put("state", "sleeping")).await(), 400, "state");
    assertError(alice.put("/api/presence/me").sendJsonObject(new JsonObject().put("state", "away")
        .put("until", "yesterday")).await(), 400, "until");
    assertError(alice.put("/api/presence/me").sendJsonObject(new JsonObject().put("mood", "happy")).await(), 400, "mood");
    assertError(alice.post("/api/buddies").sendJsonObject(new JsonObject().put("username", "ghost")).await(), 404, "username");
    assertError(alice.post("/api/buddies").sendJsonObject(new JsonObject().put("username", "alice")).await(), 400, "username");
    assertError(alice.delete("/api/buddies/bob").send().await(), 404, "username");
    assertError(alice.put("/api/presence/rules").sendJsonObject(new JsonObject().put("rules", new JsonArray()
        .add(new JsonObject().put("watcher", "bob").put("action", "maybe")))).await(), 400, "rules");
    assertError(alice.get("/api/presence/ghost").send().await(), 404, null);
    assertEquals(200, alice.get("/api/presence/pending").send().await().statusCode());
  }
}
