package io.switchboard.server.cluster;

import static io.switchboard.server.cluster.ThreeNodes.DOMAIN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.Sipp;
import io.switchboard.core.testing.SippTrace;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes on loopback, each a process of its own (the shaded jar), clustered over TCP/IP and
 * sharing node A's embedded store through its store.serve-port. Phones register on A and C; a MESSAGE
 * sent through B reaches the phone on C (from C, which holds its flow), and a PUBLISH on A reaches a
 * watcher subscribed on C; a console logged in through A gets its live events through B.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ClusterIT {

  private static final String ADMIN_PASSWORD = "cluster-admin-pw";

  @TempDir
  static Path dir;

  private ThreeNodes cluster;

  @BeforeAll
  void startThreeNodes() throws Exception {
    cluster = new ThreeNodes(dir, ADMIN_PASSWORD).config("presence.default-rule", "allow");
    cluster.start();
    cluster.addUsers(List.of("alice", "bob", "carol"), user -> String.valueOf(1000 + user.length() + user.charAt(0)));
  }

  @AfterAll
  void stopNodes() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aMessageSentThroughBReachesThePhoneRegisteredOnC() throws Exception {
    int phonePort = FreePorts.udpAndTcp();
    Sipp.Running bobPhone = Sipp.device("receive-message.xml", phonePort, 1).start();
    try {
      cluster.register("c", "bob", phonePort);
      cluster.register("a", "carol", FreePorts.udpAndTcp()); // a phone on A too: its binding is A's
      // Every node learns C's binding through the bus. The console's question goes to any node's location
      // service (a request on a clustered bus): three answers in a row with the binding.
      cluster.awaitTrue("the nodes know bob's binding", () -> cluster.bindingsOn("b", "bob") == 1
          && cluster.bindingsOn("b", "bob") == 1 && cluster.bindingsOn("b", "bob") == 1);

      Sipp.Result sent = cluster.sendMessage("b", "bob", "across the cluster");
      assertEquals(200, SippTrace.lastStatus(sent.messages()), () -> sent + "\n--- b\n" + cluster.node("b").output()
          + "\n--- c\n" + cluster.node("c").output());
      Sipp.Result phone = bobPhone.await();
      assertTrue(phone.passed(), phone::toString);
      List<SippTrace.Message> got = SippTrace.received(phone.messages(), "MESSAGE");
      assertEquals(1, got.size(), phone.messages());
      assertTrue(got.get(0).body().contains("across the cluster"), got.get(0).body());
      // Sent by C, which holds bob's flow: its Via is C's SIP port.
      assertTrue(got.get(0).header("Via").contains("127.0.0.1:" + cluster.sip("c")), got.get(0).header("Via"));
    } finally {
      bobPhone.stop();
    }
  }

  @Test
  void aPublishOnAReachesAWatcherSubscribedOnC() throws Exception {
    Sipp.Running watcher = Sipp.scenario("watch-2.xml", cluster.sip("c")).key("domain", DOMAIN).key("from", "carol")
        .key("to", "alice").key("event", "presence").key("accept", "application/pidf+xml").key("expires", "600")
        .auth("carol", "carol-sip-pw").start();
    try {
      cluster.awaitTrue("the watcher's first NOTIFY",
          () -> SippTrace.received(watcher.messagesSoFar(), "NOTIFY").size() >= 1);
      Sipp.Result pub = Sipp.scenario("publish.xml", cluster.sip("a")).key("domain", DOMAIN).key("from", "alice")
          .key("activity", "meeting").key("note", "Review on A").auth("alice", "alice-sip-pw").run();
      assertTrue(pub.passed(), pub::toString);
      Sipp.Result seen = watcher.await();
      assertTrue(seen.passed(), () -> seen + "\n--- c\n" + cluster.node("c").output());
      List<SippTrace.Message> notifies = SippTrace.received(seen.messages(), "NOTIFY");
      assertEquals(2, notifies.size(), seen.messages());
      assertTrue(notifies.get(1).body().contains("Review on A"), notifies.get(1).body());
      assertTrue(notifies.get(1).body().contains("<basic>open</basic>"), notifies.get(1).body());
      assertTrue(notifies.get(1).header("Via").contains("127.0.0.1:" + cluster.sip("c")),
          "NOTIFY from C, the subscription's node");
    } finally {
      watcher.stop();
    }
  }

  @Test
  void aConsoleLoggedInThroughAGetsItsLiveEventsThroughB() throws Exception {
    // Bob logs in over HTTP on A and adds alice as a buddy there.
    HttpClient bobOnA = cluster.login("a", "bob", "bob-web-pw");
    HttpResponse<String> added = bobOnA.send(cluster.post("a", "/api/buddies", new JsonObject().put("username", "alice")),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(201, added.statusCode(), added.body());
    String cookie = sessionCookie(bobOnA, "a");

    // His live channel opens on B with that session (the clustered session store), as a browser's would.
    Vertx client = Vertx.vertx();
    try {
      LinkedBlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
      // Held while the socket lives: a client nobody references is shut down when collected, its sockets with
      // it (Vert.x 5): that, not the server, closed the handshake "once in a few runs" before.
      WebSocketClient sockets = client.createWebSocketClient();
      connectLive(sockets, cookie, frames);
      assertEquals("bob", next(frames, f -> "hello".equals(f.getString("type"))).getString("username"));

      // Alice's PUBLISH on A: B's channel shows it to bob.
      Sipp.Result pub = Sipp.scenario("publish.xml", cluster.sip("a")).key("domain", DOMAIN).key("from", "alice")
          .key("activity", "meeting").key("note", "Seen through B").auth("alice", "alice-sip-pw").run();
      assertTrue(pub.passed(), pub::toString);
      JsonObject seen = next(frames, f -> "presence".equals(f.getString("type")) && "alice".equals(f.getString("username"))
          && f.encode().contains("Seen through B"));
      assertEquals("alice", seen.getString("username"), seen.encode());
    } finally {
      client.close().await(30, TimeUnit.SECONDS);
    }
  }

  /**
   * Opens the live channel on B with the session's cookie, as the console's live.js does. Its frames go to
   * {@code frames} from a handler set on the event loop as the socket opens: set after the connect's
   * await, the server's first frame ("hello") could come before it and be lost.
   */
  private WebSocket connectLive(WebSocketClient sockets, String cookie, LinkedBlockingQueue<JsonObject> frames)
      throws Exception {
    return sockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(cluster.webPort("b"))
        .setURI("/api/live").addHeader("Cookie", cookie).addHeader("Origin", cluster.web("b")))
        .onSuccess(ws -> ws.textMessageHandler(t -> frames.add(new JsonObject(t)))).await(60, TimeUnit.SECONDS);
  }

  /** The session cookie a console login left in {@code client}, as a browser sends it back. */
  private String sessionCookie(HttpClient client, String node) {
    java.net.CookieHandler handler = client.cookieHandler().orElseThrow();
    return ((CookieManager) handler).getCookieStore().get(URI.create(cluster.web(node))).stream()
        .filter(c -> c.getName().equals("switchboard.session")).map(c -> c.getName() + "=" + c.getValue()).findFirst()
        .orElseThrow(() -> new AssertionError("no session cookie"));
  }

  /** The next live frame that {@code wanted} accepts (others skipped), within a bound. */
  private JsonObject next(LinkedBlockingQueue<JsonObject> frames, java.util.function.Predicate<JsonObject> wanted)
      throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    List<JsonObject> skipped = new ArrayList<>();
    while (true) {
      JsonObject f = frames.poll(Math.max(1, until - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (f == null) {
        throw new AssertionError("no such frame within 60 s; seen: " + skipped + "\n--- a\n" + cluster.node("a").output()
            + "\n--- b\n" + cluster.node("b").output());
      }
      if (wanted.test(f)) {
        return f;
      }
      skipped.add(f);
    }
  }
}
