package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.CallStateEvent;
import io.switchboard.api.EventAddresses;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.Sipp;
import io.switchboard.core.testing.TestConfigs;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientSession;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's side of presence privacy, over real WebSockets: a watcher who is pending (nobody
 * decided) or polite-blocked gets no presence frame while the presentity changes, not even the
 * first change after a restart; the allowed buddy beside them sees every change. And what GET
 * /api/presence/{user} tells each of them.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 300, timeUnit = TimeUnit.SECONDS)
class LivePresencePrivacyTest {

  private Vertx vertx;
  private SwitchboardConfig config;
  private Switchboard switchboard;
  private int sipPort;
  /**
   * One client for every socket, held for the whole test: a client nobody references may be closed
   * by its cleaner when the GC runs, mid-handshake (Vert.x closes unreachable clients).
   */
  private WebSocketClient sockets;
  private WebClient http;

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) throws Exception {
    this.vertx = vertx;
    sockets = vertx.createWebSocketClient();
    http = WebClient.create(vertx);
    sipPort = FreePorts.udpAndTcp();
    config = TestConfigs.loopback(dir, sipPort, 0, Map.of("admin.password", "admin-password"));
    switchboard = new Switchboard(vertx, config, s -> { });
    switchboard.start().await();
    Api.createUsers(Api.login(vertx, switchboard, "admin", "admin-password"),
        new String[] {"alice", "1001"}, new String[] {"bob", "1002"}, new String[] {"carol", "1003"},
        new String[] {"dave", "1004"});
  }

  @AfterEach
  void stop() {
    switchboard.stop().await();
  }

  private WebClientSession login(String user) {
    return Api.login(vertx, switchboard, user, user + "-web-pw");
  }

  /** A console's session cookie, its socket and the presence frames about bob it received, in order. */
  private record Console(String cookie, WebSocket socket, List<JsonObject> bobFrames) {
    /** Completes when the n-th presence frame about bob arrived; returns it. */
    JsonObject frame(Vertx vertx, int n) throws Exception {
      Promise<JsonObject> p = Promise.promise();
      long timer = vertx.setPeriodic(20, id -> {
        if (bobFrames.size() >= n) {
          p.tryComplete(bobFrames.get(n - 1));
        }
      });
      return p.future().onComplete(r -> vertx.cancelTimer(timer)).await(20, TimeUnit.SECONDS);
    }
  }

  private Console open(String user) throws Exception {
    HttpResponse<Buffer> r = http.post(switchboard.web().actualPort(), "127.0.0.1", "/api/login")
        .sendJsonObject(new JsonObject().put("username", user).put("password", user + "-web-pw")).await();
    assertEquals(200, r.statusCode());
    int port = switchboard.web().actualPort();
    String cookie = r.cookies().get(0).split(";")[0];
    WebSocketConnectOptions o = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/api/live")
        .addHeader("Cookie", cookie).addHeader("Origin", "http://127.0.0.1:" + port);
    List<JsonObject> frames = new CopyOnWriteArrayList<>();
    Promise<Void> hello = Promise.promise();
    WebSocket socket = sockets.connect(o).onSuccess(ws -> ws.textMessageHandler(t -> {
      JsonObject f = new JsonObject(t);
      if ("hello".equals(f.getString("type"))) {
        hello.tryComplete();
      } else if ("presence".equals(f.getString("type")) && "bob".equals(f.getString("username"))) {
        frames.add(f);
      }
    })).await();
    hello.future().await(10, TimeUnit.SECONDS);
    return new Console(cookie, socket, frames);
  }

  private void sipp(String scenario) throws Exception {
    Sipp.Result r = Sipp.scenario(scenario, sipPort).key("domain", "switchboard.test").key("aor", "bob")
        .key("contact", "bob-desk").key("expires", "300").auth("bob", "bob-sip-pw").run();
    assertTrue(r.passed(), r::toString);
  }

  private static void putRules(WebClientSession user, String... watcherAction) {
    JsonArray rules = new JsonArray();
    for (int i = 0; i < watcherAction.length; i += 2) {
      rules.add(new JsonObject().put("watcher", watcherAction[i]).put("action", watcherAction[i + 1]));
    }
    assertEquals(200, user.put("/api/presence/rules").sendJsonObject(new JsonObject().put("rules", rules)).await()
        .statusCode());
  }

  private static void setState(WebClientSession user, String state) {
    assertEquals(200, user.put("/api/presence/me").sendJsonObject(new JsonObject().put("state", state)).await()
        .statusCode());
  }

  /** GET /api/presence/bob in the console's own session. */
  private HttpResponse<Buffer> presenceOfBob(Console watcher) {
    return http.get(switchboard.web().actualPort(), "127.0.0.1", "/api/presence/bob").putHeader("Cookie", watcher.cookie())
        .send().await();
  }

  private static String state(JsonObject frame) {
    return frame.getJsonObject("presence").getString("state");
  }

  @Test
  void pendingAndPoliteBlockedConsolesGetNoPresenceFrames() throws Exception {
    putRules(login("bob"), "alice", "allow", "dave", "polite-block"); // carol: nobody decided, so pending
    for (String watcher : new String[] {"alice", "carol", "dave"}) {
      assertEquals(201, login(watcher).post("/api/buddies").sendJsonObject(new JsonObject().put("username", "bob"))
          .await().statusCode());
    }
    // A restart: what consoles were shown lives in memory; it must not make the first change news.
    switchboard.stop().await();
    switchboard = new Switchboard(vertx, config, s -> { });
    switchboard.start().await();
    Console alice = open("alice");
    Console carol = open("carol");
    Console dave = open("dave");
    WebClientSession bob = login("bob");

    sipp("register.xml");
    assertEquals("available", state(alice.frame(vertx, 1)));
    assertEquals(403, presenceOfBob(carol).statusCode(), "pending: not allowed");
    HttpResponse<Buffer> polite = presenceOfBob(dave);
    assertEquals(200, polite.statusCode(), polite.bodyAsString());
    assertEquals("offline", polite.bodyAsJsonObject().getJsonObject("presence").getString("state"),
        "polite-block: offline though bob is available");
    setState(bob, "away");
    assertEquals("away", state(alice.frame(vertx, 2)));
    vertx.eventBus().publish(EventAddresses.CALL_STATE, new CallStateEvent("bob", CallStateEvent.State.IN_CALL, "1001")
        .toJson());
    assertEquals("on-the-phone", state(alice.frame(vertx, 3)));
    vertx.eventBus().publish(EventAddresses.CALL_STATE, new CallStateEvent("bob", CallStateEvent.State.IDLE, null)
        .toJson());
    assertEquals("away", state(alice.frame(vertx, 4)));
    setState(bob, "dnd");
    assertEquals("dnd", state(alice.frame(vertx, 5)));
    setState(bob, "available");
    assertEquals("available", state(alice.frame(vertx, 6)));
    sipp("unregister-all.xml");
    assertEquals("offline", state(alice.frame(vertx, 7)));
    // carol blocked now: from nothing to nothing is no news either; alice's next frame marks the end.
    putRules(bob, "alice", "allow", "dave", "polite-block", "carol", "block");
    sipp("register.xml");
    assertEquals("available", state(alice.frame(vertx, 8)));

    assertEquals(List.of(), carol.bobFrames(), "pending, then blocked: no presence frame");
    assertEquals(List.of(), dave.bobFrames(), "polite-blocked: no presence frame");
    assertEquals(403, presenceOfBob(carol).statusCode(), "blocked: not allowed");
  }
}
