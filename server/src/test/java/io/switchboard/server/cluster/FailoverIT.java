package io.switchboard.server.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.Sipp;
import io.switchboard.core.testing.SippTrace;
import io.switchboard.telephony.FakeAsterisk;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node B of three killed with {@code kill -9}. A serves the shared store (so it is not the one killed); B
 * and C both have the AMI replay server configured, B started first and holds the link, C is the
 * standby. Before the kill: the replay server saw one login, a MESSAGE to an offline user was answered
 * 202 by B, and a phone is registered on B. After it: a second login (C's), the survivors' health no
 * longer lists B, the stored MESSAGE reaches its recipient once when it registers on C, and B's phone,
 * re-registered on C, receives MESSAGEs there.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class FailoverIT {

  private static final String DOMAIN = "switchboard.test";
  private static final String ADMIN_PASSWORD = "failover-admin-pw";

  @TempDir
  static Path dir;

  private final List<NodeProcess> nodes = new ArrayList<>();
  private final Map<String, int[]> ports = new LinkedHashMap<>(); // name -> sip, web, cluster
  private final Map<String, NodeProcess> byName = new LinkedHashMap<>();
  private FakeAsterisk asterisk;

  @BeforeAll
  void startThreeNodes() throws Exception {
    asterisk = new FakeAsterisk("uc", "ucsecret");
    for (String name : List.of("a", "b", "c")) {
      ports.put(name, new int[] {FreePorts.udpAndTcp(), FreePorts.udpAndTcp(), FreePorts.udpAndTcp()});
    }
    int storePort = FreePorts.udpAndTcp();
    String members = String.join(",", ports.values().stream().map(p -> "127.0.0.1:" + p[2]).toList());
    Map<String, String> ami = Map.of("ami.host", "127.0.0.1", "ami.port", String.valueOf(asterisk.port()),
        "ami.username", "uc", "ami.secret", "ucsecret");
    start("a", members, Map.of("store.serve-port", String.valueOf(storePort))).awaitUp(150);
    Map<String, String> onStore = new LinkedHashMap<>(ami);
    onStore.put("mongo.uri", "mongodb://127.0.0.1:" + storePort);
    start("b", members, onStore).awaitUp(150);
    // B holds the AMI link before C exists: C can only be the standby.
    asterisk.awaitActions("Login", 1).get(60, TimeUnit.SECONDS);
    start("c", members, onStore).awaitUp(150);
    for (String name : ports.keySet()) {
      awaitTrue("node " + name + " sees three members", () -> memberNodes(name).size() == 3);
    }
    awaitTrue("C is the AMI standby", () -> "standby".equals(component("c", "ami").getString("role")));
    HttpClient admin = login("a");
    List<String> users = List.of("alice", "bob", "carol", "dave", "erin");
    for (String user : users) {
      HttpResponse<String> r = admin.send(post("a", "/api/users", new JsonObject().put("username", user)
          .put("extension", String.valueOf(2100 + users.indexOf(user))).put("password", user + "-web-pw")
          .put("sipPassword", user + "-sip-pw")), HttpResponse.BodyHandlers.ofString());
      assertEquals(201, r.statusCode(), r.body());
    }
  }

  private NodeProcess start(String name, String members, Map<String, String> more) throws Exception {
    int[] p = ports.get(name);
    // Watchers see everyone; phones may register for as little as 10 s (the test's short-lived bindings).
    Map<String, String> withPresence = new LinkedHashMap<>(Map.of("presence.default-rule", "allow", "sip.min-expires", "10"));
    withPresence.putAll(more);
    Map<String, String> config = NodeProcess.loopbackNode(p[0], p[1], p[2], members, DOMAIN, ADMIN_PASSWORD,
        dir.resolve(name), withPresence);
    NodeProcess node = NodeProcess.start(name, dir.resolve(name), config);
    nodes.add(node);
    byName.put(name, node);
    return node;
  }

  @AfterAll
  void stopNodes() throws Exception {
    for (NodeProcess n : nodes) {
      n.kill();
    }
    if (asterisk != null) {
      asterisk.close();
    }
  }

  @Test
  void nodeBKilledLosesNoAnsweredMessageItsPhonesMoveAndTheAmiLinkIsTakenOver() throws Exception {
    // Before the kill. Alice's phone on A (her presence: open). Carol's and erin's phones on B, registered
    // for 40 s and 45 s and never refreshed there: carol's moves to C in time, erin's never comes back.
    register("a", "alice", FreePorts.udpAndTcp(), 300);
    int carolPort = FreePorts.udpAndTcp();
    register("b", "carol", carolPort, 40);
    Instant erinRegistered = Instant.now();
    register("b", "erin", FreePorts.udpAndTcp(), 45);
    // Dave watches alice through B (his subscription dies with B), erin through C and carol through A.
    int aliceWatcherPort = FreePorts.udpAndTcp();
    Sipp.Running aliceWatcher = watcher("watch-moves-on-481.xml", "b", "alice", 240).key("next_port", String.valueOf(sip("c")))
        .localPort(aliceWatcherPort).start();
    Sipp.Running erinWatcher = watcher("watch-2.xml", "c", "erin", 240).start();
    Sipp.Running carolWatcher = watcher("watch-2.xml", "a", "carol", 240).start();
    try {
      for (Sipp.Running w : List.of(aliceWatcher, erinWatcher, carolWatcher)) {
        awaitTrue("a watcher's first NOTIFY", () -> notifies(w).size() >= 1);
        assertTrue(notifies(w).get(0).body().contains("<basic>open</basic>"), () -> notifies(w).get(0).body());
      }
      // A MESSAGE to bob (no phone anywhere) answered 202 by B: stored.
      Sipp.Result stored = sendMessage("b", "bob", "kept through the kill");
      assertEquals(202, SippTrace.lastStatus(stored.messages()), () -> stored + "\n--- b\n" + byName.get("b").output());
      assertEquals(1, logins(), () -> "one login from the cluster: " + asterisk.received());
      String bNode = component("b", "cluster").getString("node");

      Instant killed = Instant.now();
      byName.get("b").kill();

      // C takes the link over within the 10 s the issue asks (Hazelcast removes a silent member after 5 s).
      asterisk.awaitActions("Login", 2).get(60, TimeUnit.SECONDS);
      long takeoverMillis = Duration.between(killed, Instant.now()).toMillis();
      System.out.println("[failover] kill -9 of the AMI holder to the standby's login: " + takeoverMillis + " ms");
      assertTrue(takeoverMillis < 10_000, "the standby logged in " + takeoverMillis + " ms after the kill");
      assertEquals(2, logins(), () -> "exactly one more login: " + asterisk.received());
      for (String survivor : List.of("a", "c")) {
        awaitTrue("node " + survivor + " no longer lists B", () -> {
          List<String> seen = memberNodes(survivor);
          return seen.size() == 2 && !seen.contains(bNode);
        });
        awaitTrue("node " + survivor + " was told B left", () -> byName.get(survivor).output().contains("Bindings of a node that left kept"));
      }
      System.out.println("[failover] kill -9 to both survivors' health without B: "
          + Duration.between(killed, Instant.now()).toMillis() + " ms");

      // The survivors keep B's bindings until their own expiry: nobody looks offline at the kill, and a
      // MESSAGE to a phone that was on B is stored at once (202), not sent into the dead node.
      assertEquals(1, bindingsOn("a", "erin"));
      assertEquals(1, bindingsOn("c", "carol"));
      Sipp.Result toErin = sendMessage("a", "erin", "while erin's node is dead");
      assertEquals(202, SippTrace.lastStatus(toErin.messages()), () -> toErin + "\n--- a\n" + byName.get("a").output());
      assertEquals(1, notifies(erinWatcher).size(), () -> "erin not shown offline at the kill: " + trace(erinWatcher));

      // Dave's subscription to alice lived on B: his refresh goes to C, gets 481, and he subscribes anew there:
      // alice's current state (open), then her PUBLISH on A, from C; never "closed" or "terminated" between.
      signal(aliceWatcherPort, aliceWatcher);
      awaitTrue("dave subscribed to alice anew on C", () -> notifies(aliceWatcher).size() >= 2);
      Sipp.Result pub = Sipp.scenario("publish.xml", sip("a")).key("domain", DOMAIN).key("from", "alice")
          .key("activity", "meeting").key("note", "Back after the failover").auth("alice", "alice-sip-pw").run();
      assertTrue(pub.passed(), pub::toString);
      Sipp.Result watched = aliceWatcher.await();
      assertTrue(watched.passed(), () -> watched + "\n--- c\n" + byName.get("c").output());
      List<SippTrace.Message> refreshed = SippTrace.parse(watched.messages()).stream()
          .filter(m -> m.received() && m.startLine().startsWith("SIP/2.0 481")).toList();
      assertEquals(1, refreshed.size(), "the refresh reached C and was refused as an unknown dialog");
      List<SippTrace.Message> seen = notifies(aliceWatcher);
      assertEquals(3, seen.size(), watched.messages());
      for (SippTrace.Message n : seen) {
        assertFalse(n.body().contains("<basic>closed</basic>"), () -> "a false offline: " + n.body());
        assertFalse(n.header("Subscription-State").startsWith("terminated"), () -> "ended: " + n.headers());
      }
      assertTrue(seen.get(1).body().contains("<basic>open</basic>"), seen.get(1).body());
      assertTrue(seen.get(2).body().contains("Back after the failover"), seen.get(2).body());
      for (SippTrace.Message n : seen.subList(1, 3)) {
        assertTrue(n.header("Via").contains("127.0.0.1:" + sip("c")), () -> "from C: " + n.header("Via"));
      }

      // B's phone re-registers with C (in time) and receives a MESSAGE sent through A there, from C.
      Sipp.Running carolPhone = Sipp.device("receive-message.xml", carolPort, 1).start();
      try {
        register("c", "carol", carolPort, 300);
        awaitTrue("A knows carol's binding on C", () -> bindingsOn("a", "carol") == 1 && nodeOfBinding("a", "carol").equals(
            component("c", "cluster").getString("node")));
        Sipp.Result sent = sendMessage("a", "carol", "after the failover");
        assertEquals(200, SippTrace.lastStatus(sent.messages()), () -> sent + "\n--- c\n" + byName.get("c").output());
        Sipp.Result phone = carolPhone.await();
        assertTrue(phone.passed(), phone::toString);
        List<SippTrace.Message> got = SippTrace.received(phone.messages(), "MESSAGE");
        assertEquals(1, got.size(), phone.messages());
        assertTrue(got.get(0).body().contains("after the failover"), got.get(0).body());
        assertTrue(got.get(0).header("Via").contains("127.0.0.1:" + sip("c")), got.get(0).header("Via"));
      } finally {
        carolPhone.stop();
      }

      // Bob registers on C: the message B answered 202 arrives, once; then a live one (a second copy of the
      // stored one would have taken its place).
      int bobPort = FreePorts.udpAndTcp();
      Sipp.Running bobPhone = Sipp.device("receive-message.xml", bobPort, 2).start();
      try {
        register("c", "bob", bobPort, 300);
        awaitTrue("the stored message reached bob's phone", () -> SippTrace.received(bobPhone.messagesSoFar(), "MESSAGE").size() >= 1);
        Sipp.Result live = sendMessage("c", "bob", "live after the stored one");
        assertEquals(200, SippTrace.lastStatus(live.messages()), live::toString);
        Sipp.Result phone = bobPhone.await();
        assertTrue(phone.passed(), phone::toString);
        List<SippTrace.Message> got = SippTrace.received(phone.messages(), "MESSAGE");
        assertEquals(2, got.size(), phone.messages());
        assertTrue(got.get(0).body().contains("kept through the kill"), got.get(0).body());
        assertTrue(got.get(1).body().contains("live after the stored one"), got.get(1).body());
        assertFalse(got.get(1).body().contains("kept through the kill"), "the stored message came twice");
      } finally {
        bobPhone.stop();
      }

      // Erin's phone never came back: her watcher sees "closed" once her binding's 45 s are over, not before.
      awaitTrue("erin shown offline at her binding's expiry", () -> notifies(erinWatcher).size() >= 2);
      SippTrace.Message offline = notifies(erinWatcher).get(1);
      assertTrue(offline.body().contains("<basic>closed</basic>"), offline.body());
      LocalDateTime offlineAt = SippTrace.receivedAt(erinWatcher.messagesSoFar(), "NOTIFY").get(1);
      LocalDateTime expiry = LocalDateTime.ofInstant(erinRegistered.plusSeconds(45), ZoneId.systemDefault());
      System.out.println("[failover] erin's offline NOTIFY " + Duration.between(expiry, offlineAt).toMillis()
          + " ms after her binding's expiry, " + Duration.between(LocalDateTime.ofInstant(killed, ZoneId.systemDefault()),
          offlineAt).toMillis() + " ms after the kill");
      assertFalse(offlineAt.isBefore(expiry), () -> "closed at " + offlineAt + ", before the expiry at " + expiry);
      // Carol's binding on B expired (40 s, before erin's) after her phone had moved: never shown offline.
      for (SippTrace.Message n : notifies(carolWatcher)) {
        assertFalse(n.body().contains("<basic>closed</basic>"), () -> "carol shown offline: " + n.body());
      }
      assertEquals(1, bindingsOn("a", "carol"));
      assertEquals(0, bindingsOn("c", "erin"), "erin's binding gone from the survivors once expired");
    } finally {
      aliceWatcher.stop();
      erinWatcher.stop();
      carolWatcher.stop();
    }
  }

  /** Dave's watcher for {@code user}'s presence through {@code node} (SIPp, Expires 600, bounded by {@code seconds}). */
  private Sipp watcher(String scenario, String node, String user, int seconds) {
    return Sipp.scenario(scenario, sip(node)).key("domain", DOMAIN).key("from", "dave").key("to", user)
        .key("event", "presence").key("accept", "application/pidf+xml").key("expires", "600").auth("dave", "dave-sip-pw")
        .timeout(seconds);
  }

  private static List<SippTrace.Message> notifies(Sipp.Running watcher) {
    return SippTrace.received(trace(watcher), "NOTIFY");
  }

  private static String trace(Sipp.Running sipp) {
    try {
      return sipp.messagesSoFar();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * Tells a watcher waiting in its dialog that its node is gone: an OPTIONS in that dialog (its Call-ID,
   * the notifier's tag) on its port, which the scenario awaits before it refreshes with the next server.
   */
  private void signal(int port, Sipp.Running watcher) throws Exception {
    String trace = watcher.messagesSoFar();
    String callId = SippTrace.sent(trace, "SUBSCRIBE").get(0).header("Call-ID");
    String from = SippTrace.received(trace, "NOTIFY").get(0).header("From");
    String tag = from.substring(from.indexOf("tag=") + 4).split("[;>\\s]")[0];
    try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
      String options = "OPTIONS sip:dave@127.0.0.1:" + port + " SIP/2.0\r\n"
          + "Via: SIP/2.0/UDP 127.0.0.1:" + socket.getLocalPort() + ";branch=z9hG4bK-node-gone\r\n"
          + "Max-Forwards: 70\r\nFrom: <sip:alice@" + DOMAIN + ">;tag=" + tag + "\r\n"
          + "To: <sip:dave@" + DOMAIN + ">;tag=" + tag + "\r\nCall-ID: " + callId + "\r\nCSeq: 1 OPTIONS\r\n"
          + "Content-Length: 0\r\n\r\n";
      byte[] bytes = options.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      socket.send(new java.net.DatagramPacket(bytes, bytes.length, java.net.InetAddress.getLoopbackAddress(), port));
    }
  }

  private long logins() {
    return asterisk.received().stream().filter(a -> "login".equalsIgnoreCase(a.get("action"))).count();
  }

  private Sipp.Result sendMessage(String node, String to, String body) throws Exception {
    return Sipp.scenario("send-message.xml", sip(node)).key("domain", DOMAIN).key("from", "alice")
        .key("to", to).key("ctype", "text/plain").key("body", body).auth("alice", "alice-sip-pw").run();
  }

  private void register(String node, String user, int contactPort, int expires) throws Exception {
    Sipp.Result reg = Sipp.scenario("register-device-expires.xml", sip(node)).key("domain", DOMAIN).key("aor", user)
        .key("contact", user + "-desk").key("device", "127.0.0.1:" + contactPort).key("accept", "text/plain")
        .key("expires", String.valueOf(expires)).auth(user, user + "-sip-pw").run();
    assertTrue(reg.passed(), reg::toString);
  }

  private int sip(String node) {
    return ports.get(node)[0];
  }

  private String web(String node) {
    return "http://127.0.0.1:" + ports.get(node)[1];
  }

  private JsonObject component(String node, String name) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(web(node) + "/api/health"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    JsonObject c = new JsonObject(r.body()).getJsonObject("components").getJsonObject(name);
    return c == null ? new JsonObject() : c;
  }

  /** The Vert.x node ids the node's health lists as members. */
  private List<String> memberNodes(String node) throws Exception {
    JsonArray members = component(node, "cluster").getJsonArray("members", new JsonArray());
    return members.stream().map(m -> ((JsonObject) m).getString("node")).toList();
  }

  /** The node of the user's first binding, as {@code node}'s console lists it. */
  private String nodeOfBinding(String node, String user) throws Exception {
    HttpResponse<String> r = login(node).send(HttpRequest.newBuilder(URI.create(web(node) + "/api/users/" + user
        + "/registrations")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    return new JsonObject(r.body()).getJsonArray("bindings").getJsonObject(0).getString("node", "");
  }

  private int bindingsOn(String node, String user) throws Exception {
    HttpResponse<String> r = login(node).send(HttpRequest.newBuilder(URI.create(web(node) + "/api/users/" + user
        + "/registrations")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      return -1;
    }
    JsonArray bindings = new JsonObject(r.body()).getJsonArray("bindings");
    return bindings == null ? -1 : bindings.size();
  }

  private HttpClient login(String node) throws Exception {
    HttpClient client = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
    HttpResponse<String> r = client.send(post(node, "/api/login", new JsonObject().put("username", "admin")
        .put("password", ADMIN_PASSWORD)), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return client;
  }

  private HttpRequest post(String node, String path, JsonObject body) {
    return HttpRequest.newBuilder(URI.create(web(node) + path)).timeout(Duration.ofSeconds(20))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build();
  }

  private void awaitTrue(String what, NodeProcess.Check check) throws Exception {
    NodeProcess.awaitTrue(what, 60, check, () -> {
      StringBuilder out = new StringBuilder();
      byName.forEach((name, n) -> out.append("--- ").append(name).append('\n').append(n.output()).append('\n'));
      return out.toString();
    });
  }
}
