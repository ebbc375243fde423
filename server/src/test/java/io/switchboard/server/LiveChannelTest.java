package io.switchboard.server;

import io.switchboard.api.telephony.CallProgress;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.EventAddresses;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.Sipp;
import io.switchboard.core.testing.SippTrace;
import io.switchboard.core.testing.TestConfigs;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live channel over a plain WebSocket client: each user's socket carries their own events and
 * nobody else's; no session, another origin, or an ended session gets nothing. An open console is
 * an IM target: a message to its user is delivered (200) and shown once; a stored one is delivered
 * when a console opens.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class LiveChannelTest {

  private Switchboard switchboard;
  private Vertx vertx;
  private int port;
  private int sipPort;
  /** Held for the test: a client nobody references is shut down when collected, its sockets with it (Vert.x 5). */
  private WebSocketClient sockets;

  /** One browser's socket and every frame it received. */
  private record Socket(WebSocket ws, List<JsonObject> frames, Promise<Short> closed) {
    Future<JsonObject> next(Vertx vertx, Predicate<JsonObject> match) {
      Promise<JsonObject> p = Promise.promise();
      long timer = vertx.setPeriodic(20, id -> frames.stream().filter(match).findFirst().ifPresent(p::tryComplete));
      return p.future().onComplete(r -> vertx.cancelTimer(timer));
    }
  }

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) throws Exception {
    this.vertx = vertx;
    sockets = vertx.createWebSocketClient();
    sipPort = FreePorts.udpAndTcp();
    switchboard = new Switchboard(vertx, TestConfigs.loopback(dir, sipPort, 0,
        Map.of("admin.password", "admin-password")), s -> { });
    switchboard.start().await();
    port = switchboard.web().actualPort();
    var admin = Api.login(vertx, switchboard, "admin", "admin-password");
    for (String u : new String[] {"alice", "bob", "carol"}) {
      assertEquals(201, admin.post("/api/users").sendJsonObject(new JsonObject().put("username", u)
          .put("password", u + "-web-pw").put("sipPassword", u + "-sip-pw")).await().statusCode());
    }
  }

  @AfterEach
  void stop() {
    sockets.close().await();
    switchboard.stop().await();
  }

  private String cookie(String user) {
    HttpResponse<Buffer> r = Api.once(vertx, c -> c.post(port, "127.0.0.1", "/api/login")
        .sendJsonObject(new JsonObject().put("username", user).put("password", user + "-web-pw")));
    assertEquals(200, r.statusCode());
    return r.cookies().get(0).split(";")[0];
  }

  private Future<WebSocket> connect(String cookie, String origin) {
    WebSocketConnectOptions o = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/api/live");
    if (cookie != null) {
      o.addHeader("Cookie", cookie);
    }
    if (origin != null) {
      o.addHeader("Origin", origin);
    }
    return sockets.connect(o);
  }

  private Socket open(String cookie) throws Exception {
    List<JsonObject> frames = new CopyOnWriteArrayList<>();
    Promise<Short> closed = Promise.promise();
    // Handlers set on the event loop as the socket opens, before its first frame can be read.
    WebSocket ws = connect(cookie, "http://127.0.0.1:" + port).onSuccess(w -> {
      w.textMessageHandler(t -> frames.add(new JsonObject(t)));
      w.closeHandler(v -> closed.tryComplete(w.closeStatusCode()));
    }).await();
    Socket s = new Socket(ws, frames, closed);
    s.next(vertx, f -> "hello".equals(f.getString("type"))).await(5, TimeUnit.SECONDS);
    return s;
  }

  @Test
  void eachSocketCarriesOnlyItsUsersEvents() throws Exception {
    Socket alice = open(cookie("alice"));
    Socket bob = open(cookie("bob"));
    var bus = vertx.eventBus();
    // Events for bob of every kind the channel forwards...
    bus.publish(EventAddresses.PRESENCE_UPDATE, new JsonObject().put("watcher", "bob").put("presentity", "carol")
        .put("presence", new JsonObject().put("state", "away").put("note", "secret note")));
    bus.publish(EventAddresses.CALL_STATE, new JsonObject().put("username", "bob").put("state", "IN_CALL").put("peer", "1003"));
    bus.publish(EventAddresses.CALL_PROGRESS, new CallProgress("c1", "bob", "1003", "answered", null).toJson());
    // ...and a real message from carol to bob, through IM (delivered: bob's console is open)
    var carolApi = Api.login(vertx, switchboard, "carol", "carol-web-pw");
    assertEquals(200, carolApi.post("/api/messages").sendJsonObject(new JsonObject().put("to", "bob")
        .put("body", "for bob only")).await().statusCode());
    // then one for alice, which she can only see after the ones before it were dispatched
    bus.publish(EventAddresses.PRESENCE_UPDATE, new JsonObject().put("watcher", "alice").put("presentity", "carol")
        .put("presence", new JsonObject().put("state", "available")));

    bob.next(vertx, f -> "message".equals(f.getString("type"))).await(5, TimeUnit.SECONDS);
    bob.next(vertx, f -> "call".equals(f.getString("type"))).await(5, TimeUnit.SECONDS);
    bob.next(vertx, f -> "call-state".equals(f.getString("type"))).await(5, TimeUnit.SECONDS);
    JsonObject seen = bob.next(vertx, f -> "presence".equals(f.getString("type"))).await(5, TimeUnit.SECONDS);
    assertEquals("carol", seen.getString("username"));
    assertEquals("away", seen.getJsonObject("presence").getString("state"));
    alice.next(vertx, f -> "presence".equals(f.getString("type"))).await(5, TimeUnit.SECONDS);

    assertEquals(List.of("hello", "presence"), alice.frames().stream().map(f -> f.getString("type")).toList(),
        alice.frames().toString());
    assertTrue(alice.frames().stream().noneMatch(f -> f.encode().contains("secret note") || f.encode().contains("for bob")));
    // Whatever alice's browser sends asks for nothing: it is answered with a pong, never with others' events.
    alice.ws().writeTextMessage("{\"subscribe\":\"bob\"}").await();
    alice.next(vertx, f -> "pong".equals(f.getString("type"))).await(5, TimeUnit.SECONDS);
    assertEquals(3, alice.frames().size(), alice.frames().toString());
  }

  /** The "message" frames a socket received for one message id. */
  private static long messageFrames(Socket s, String id) {
    return s.frames().stream().filter(f -> "message".equals(f.getString("type"))
        && id.equals(f.getJsonObject("message").getString("id"))).count();
  }

  /** Waits until every event published before now reached the socket: a presence event for its user is the marker. */
  private void drain(Socket s, String user, String marker) throws Exception {
    vertx.eventBus().publish(EventAddresses.PRESENCE_UPDATE, new JsonObject().put("watcher", user)
        .put("presentity", marker).put("presence", new JsonObject().put("state", "available")));
    s.next(vertx, f -> "presence".equals(f.getString("type")) && marker.equals(f.getString("username")))
        .await(5, TimeUnit.SECONDS);
  }

  private JsonObject history(String user, String with) {
    return Api.login(vertx, switchboard, user, user + "-web-pw").get("/api/messages").addQueryParam("with", with)
        .send().await().bodyAsJsonObject().getJsonArray("messages").getJsonObject(0);
  }

  @Test
  void aMessageToAnOpenConsoleIsDeliveredAndShownOnce() throws Exception {
    Socket bob = open(cookie("bob"));
    Socket alice = open(cookie("alice"));
    // From a SIP phone (SIPp) to bob, who has no phone, only the console: 200, not 202
    Sipp.Result sent = Sipp.scenario("send-message.xml", sipPort).key("domain", "switchboard.test")
        .key("from", "carol").key("to", "bob").key("ctype", "text/plain").key("body", "to your browser")
        .auth("carol", "carol-sip-pw").run();
    assertEquals(200, SippTrace.lastStatus(sent.messages()), sent::toString);
    JsonObject stored = history("bob", "carol");
    assertEquals("DELIVERED", stored.getString("state"));
    assertEquals("to your browser", stored.getString("text").strip());
    drain(bob, "bob", "marker1");
    assertEquals(1, messageFrames(bob, stored.getString("id")), bob.frames().toString());

    // From the console's API, alice to bob: 200 DELIVERED; bob sees it once, alice's own browser once
    var aliceApi = Api.login(vertx, switchboard, "alice", "alice-web-pw");
    HttpResponse<Buffer> posted = aliceApi.post("/api/messages").sendJsonObject(new JsonObject().put("to", "bob")
        .put("body", "hi bob")).await();
    assertEquals(200, posted.statusCode(), posted.bodyAsString());
    assertEquals("DELIVERED", posted.bodyAsJsonObject().getString("state"));
    String id = posted.bodyAsJsonObject().getString("id");
    drain(bob, "bob", "marker2");
    drain(alice, "alice", "marker2");
    assertEquals(1, messageFrames(bob, id), bob.frames().toString());
    assertEquals(1, messageFrames(alice, id), alice.frames().toString());

    // A room: the member with a console open takes it
    assertEquals(201, aliceApi.post("/api/rooms").sendJsonObject(new JsonObject().put("name", "lunch")
        .put("members", new io.vertx.core.json.JsonArray().add("bob"))).await().statusCode());
    HttpResponse<Buffer> inRoom = aliceApi.post("/api/rooms/lunch/messages")
        .sendJsonObject(new JsonObject().put("body", "pizza?")).await();
    assertEquals(200, inRoom.statusCode(), inRoom.bodyAsString());
    drain(bob, "bob", "marker3");
    assertEquals(1, bob.frames().stream().filter(f -> "message".equals(f.getString("type"))
        && "pizza?".equals(f.getJsonObject("message").getString("text"))).count(), bob.frames().toString());

    // Nobody's console open for carol, and no phone: stored, as before
    HttpResponse<Buffer> toCarol = aliceApi.post("/api/messages").sendJsonObject(new JsonObject().put("to", "carol")
        .put("body", "later")).await();
    assertEquals(202, toCarol.statusCode(), toCarol.bodyAsString());
    assertEquals("STORED", toCarol.bodyAsJsonObject().getString("state"));
  }

  @Test
  void aStoredMessageIsDeliveredWhenAConsoleOpens() throws Exception {
    Socket alice = open(cookie("alice"));
    var aliceApi = Api.login(vertx, switchboard, "alice", "alice-web-pw");
    String[] ids = new String[2];
    for (int i = 0; i < 2; i++) {
      HttpResponse<Buffer> r = aliceApi.post("/api/messages").sendJsonObject(new JsonObject().put("to", "bob")
          .put("body", "stored " + i)).await();
      assertEquals(202, r.statusCode(), r.bodyAsString());
      ids[i] = r.bodyAsJsonObject().getString("id");
    }
    Socket bob = open(cookie("bob"));
    // The sender's console hears each turn delivered, after the store says so
    for (String id : ids) {
      alice.next(vertx, f -> "message-state".equals(f.getString("type"))
          && id.equals(f.getJsonObject("message").getString("id"))
          && "DELIVERED".equals(f.getJsonObject("message").getString("state"))).await(10, TimeUnit.SECONDS);
    }
    assertEquals("DELIVERED", history("bob", "alice").getString("state"));
    drain(bob, "bob", "marker");
    List<String> shown = bob.frames().stream().filter(f -> "message".equals(f.getString("type")))
        .map(f -> f.getJsonObject("message").getString("id")).toList();
    assertEquals(List.of(ids[0], ids[1]), shown, "each once, oldest first");
  }

  @Test
  void noSessionOrAnotherOriginIsRefused() {
    Throwable anonymous = assertRefused(connect(null, "http://127.0.0.1:" + port));
    assertEquals(401, ((UpgradeRejectedException) anonymous).getStatus());
    Throwable crossSite = assertRefused(connect(cookie("alice"), "http://evil.example"));
    assertEquals(403, ((UpgradeRejectedException) crossSite).getStatus());
  }

  private static Throwable assertRefused(Future<WebSocket> f) {
    try {
      f.await(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
      assertTrue(cause instanceof UpgradeRejectedException, String.valueOf(cause));
      return cause;
    }
    throw new AssertionError("the upgrade was accepted");
  }

  @Test
  void logoutAndDisablingCloseTheSocket() throws Exception {
    String aliceCookie = cookie("alice");
    Socket alice = open(aliceCookie);
    Socket bob = open(cookie("bob"));
    assertEquals(204, Api.once(vertx, c -> c.post(port, "127.0.0.1", "/api/logout").putHeader("Cookie", aliceCookie)
        .putHeader("Content-Type", "application/json").sendJsonObject(new JsonObject())).statusCode());
    assertEquals((short) 4401, alice.closed().future().await(5, TimeUnit.SECONDS));

    var admin = Api.login(vertx, switchboard, "admin", "admin-password");
    assertEquals(200, admin.patch("/api/users/bob").sendJsonObject(new JsonObject().put("enabled", false)).await()
        .statusCode());
    assertEquals((short) 4401, bob.closed().future().await(5, TimeUnit.SECONDS));
    assertRefused(connect(aliceCookie, "http://127.0.0.1:" + port));
  }

  @Test
  void anOpenConsoleCountsAsOnlineForBuddies() throws Exception {
    var aliceApi = Api.login(vertx, switchboard, "alice", "alice-web-pw");
    var bobApi = Api.login(vertx, switchboard, "bob", "bob-web-pw");
    assertEquals(201, aliceApi.post("/api/buddies").sendJsonObject(new JsonObject().put("username", "bob")).await()
        .statusCode());
    assertEquals(201, bobApi.post("/api/buddies").sendJsonObject(new JsonObject().put("username", "alice")).await()
        .statusCode());
    assertEquals("offline", bobApi.get("/api/presence/alice").send().await().bodyAsJsonObject()
        .getJsonObject("presence").getString("state"), "no phone, no console");
    Socket bob = open(cookie("bob"));
    open(cookie("alice"));
    JsonObject seen = bob.next(vertx, f -> "presence".equals(f.getString("type")) && "alice".equals(f.getString("username"))
        && "available".equals(f.getJsonObject("presence").getString("state"))).await(5, TimeUnit.SECONDS);
    assertEquals("available", seen.getJsonObject("presence").getString("state"));
  }
}
