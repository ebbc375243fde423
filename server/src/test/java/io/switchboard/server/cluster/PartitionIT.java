package io.switchboard.server.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
 * A partition that heals: node B of three (the AMI holder) is paused with SIGSTOP, as a node cut off from
 * the others would be (its sockets stay open, it answers nothing). A and C remove it after the heartbeat
 * timeout and C takes the AMI link; messages for offline bob are stored through B (before), A and C, and bob
 * registers on C, which delivers them. Then SIGCONT: B merges back (Hazelcast's split-brain merge), every
 * node lists three members, B gives its old AMI session up (one link), B knows bob's binding made on C
 * meanwhile, and every stored message reached bob exactly once. A MESSAGE for carol's phone on B, sent through
 * A while B was paused, waited in B's socket and was stored by A when B was removed: B does not send it on
 * resuming, so carol gets it once (from C).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class PartitionIT {

  private static final String DOMAIN = "switchboard.test";
  private static final String ADMIN_PASSWORD = "partition-admin-pw";

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
    List<String> users = List.of("alice", "bob", "carol");
    for (String user : users) {
      HttpResponse<String> r = admin.send(post("a", "/api/users", new JsonObject().put("username", user)
          .put("extension", String.valueOf(2200 + users.indexOf(user))).put("password", user + "-web-pw")
          .put("sipPassword", user + "-sip-pw")), HttpResponse.BodyHandlers.ofString());
      assertEquals(201, r.statusCode(), r.body());
    }
  }

  private NodeProcess start(String name, String members, Map<String, String> more) throws Exception {
    int[] p = ports.get(name);
    Map<String, String> config = NodeProcess.loopbackNode(p[0], p[1], p[2], members, DOMAIN, ADMIN_PASSWORD,
        dir.resolve(name), more);
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
  void aPausedNodeMergesBackWithoutDuplicateDeliveriesOrASecondAmiLink() throws Exception {
    assertEquals(202, SippTrace.lastStatus(sendMessage("b", "bob", "stored-1 through B").messages()));
    assertEquals(1, asterisk.loggedInSessions(), () -> "B's link: " + asterisk.received());
    String bNode = component("b", "cluster").getString("node");

    int bobPort = FreePorts.udpAndTcp();
    // Answers more MESSAGEs than should come: a duplicate would be received and counted, not refused.
    Sipp.Running bobPhone = Sipp.device("receive-message.xml", bobPort, 6).timeout(300).start();
    // Carol's phone is on B. A MESSAGE sent to her through A while B is paused goes into B's socket, unanswered;
    // A stores it when B is removed, and delivers it when she registers on C. B, resumed, must not send it too.
    int carolPort = FreePorts.udpAndTcp();
    Sipp.Running carolPhone = Sipp.device("receive-message.xml", carolPort, 4).timeout(300).start();
    register("b", "carol", carolPort);
    // The console's question reaches any node's location service: three answers in a row with the binding.
    awaitTrue("every node knows carol's binding on B", () -> bindingsOn("a", "carol") == 1 && bindingsOn("a", "carol") == 1
        && bindingsOn("a", "carol") == 1);
    NodeProcess b = byName.get("b");
    try {
      b.pause();
      try {
        Sipp.Result toCarol = sendMessage("a", "carol", "to carol while B is paused");
        assertEquals(202, SippTrace.lastStatus(toCarol.messages()), toCarol::toString);
        assertTrue(byName.get("a").output().contains("Requests through a node that left failed"),
            "the MESSAGE had gone to B before B was removed: " + byName.get("a").output());
        for (String survivor : List.of("a", "c")) {
          awaitTrue("node " + survivor + " no longer lists B", () -> {
            List<String> seen = memberNodes(survivor);
            return seen.size() == 2 && !seen.contains(bNode);
          });
        }
        // C takes the link over: a second login while B's session is still open (B is only paused).
        asterisk.awaitActions("Login", 2).get(60, TimeUnit.SECONDS);
        Sipp.Result viaA = sendMessage("a", "bob", "stored-2 through A");
        assertEquals(202, SippTrace.lastStatus(viaA.messages()), viaA::toString);
        Sipp.Result viaC = sendMessage("c", "bob", "stored-3 through C");
        assertEquals(202, SippTrace.lastStatus(viaC.messages()), viaC::toString);
        // Bob registers on C, which delivers the three stored messages.
        register("c", "bob", bobPort);
        awaitTrue("bob received the three stored messages", () -> received(bobPhone).size() >= 3);
        register("c", "carol", carolPort);
        awaitTrue("carol received the stored message from C", () -> received(carolPhone).size() >= 1);
      } finally {
        b.resume(); // never leave a process stopped
      }

      // The partition heals: every node lists three members again.
      for (String name : ports.keySet()) {
        awaitTrue("node " + name + " lists three members again", () -> memberNodes(name).size() == 3, 180);
      }
      // One AMI link: B gave its old session up on merging, C keeps the link, nobody logged in again.
      awaitTrue("one AMI session, C's", () -> asterisk.loggedInSessions() == 1
          && "standby".equals(component("b", "ami").getString("role")));
      assertNotEquals("standby", component("c", "ami").getString("role"), "C still holds the link");
      assertEquals(2, logins(), () -> "no login after the merge: " + asterisk.received());
      assertTrue(byName.get("b").output().contains("AMI link given up after a partition"), byName.get("b").output());

      // B knows bob's binding made on C while it was away: a MESSAGE through B reaches him, from C.
      awaitTrue("B reads bob's binding on C", () -> byName.get("b").output().contains("read again after a partition"));
      Sipp.Result live = sendMessage("b", "bob", "live through B after the merge");
      assertEquals(200, SippTrace.lastStatus(live.messages()), () -> live + "\n--- b\n" + byName.get("b").output());
      awaitTrue("bob received the live message", () -> received(bobPhone).size() >= 4);
      List<SippTrace.Message> got = received(bobPhone);
      assertTrue(got.get(3).header("Via").contains("127.0.0.1:" + ports.get("c")[0]), got.get(3).header("Via"));
      List<String> bodies = got.stream().map(m -> m.body().strip()).toList();
      for (String body : List.of("stored-1 through B", "stored-2 through A", "stored-3 through C",
          "live through B after the merge")) {
        assertEquals(1, bodies.stream().filter(x -> x.contains(body)).count(), () -> "exactly once: " + body + " in " + bodies);
      }
      assertEquals(4, got.size(), () -> "nothing more: " + bodies);
      // B read A's request for carol from its socket when it resumed: too late, not sent (A had stored it).
      awaitTrue("B refused the stale request", () -> byName.get("b").output().contains("arrived too late"));
      Sipp.Result toCarol = sendMessage("b", "carol", "live to carol after the merge");
      assertEquals(200, SippTrace.lastStatus(toCarol.messages()), toCarol::toString);
      awaitTrue("carol received the live message", () -> received(carolPhone).size() >= 2);
      List<String> carols = received(carolPhone).stream().map(m -> m.body().strip()).toList();
      assertEquals(2, carols.size(), () -> "once each: " + carols);
      assertTrue(carols.get(0).contains("to carol while B is paused"), carols::toString);
      assertTrue(carols.get(1).contains("live to carol after the merge"), carols::toString);
      // B learnt that carol's binding, once its own, is C's now: the MESSAGE left from C, which holds her flow.
      String carolVia = received(carolPhone).get(1).header("Via");
      assertTrue(carolVia.contains("127.0.0.1:" + ports.get("c")[0]), carolVia);
      assertEquals(1, asterisk.loggedInSessions());
    } finally {
      bobPhone.stop();
      carolPhone.stop();
    }
  }

  private int bindingsOn(String node, String user) throws Exception {
    HttpResponse<String> r = login(node).send(HttpRequest.newBuilder(URI.create(web(node) + "/api/users/" + user
        + "/registrations")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    JsonArray bindings = r.statusCode() == 200 ? new JsonObject(r.body()).getJsonArray("bindings") : null;
    return bindings == null ? -1 : bindings.size();
  }

  private static List<SippTrace.Message> received(Sipp.Running phone) throws Exception {
    return SippTrace.received(phone.messagesSoFar(), "MESSAGE");
  }

  private long logins() {
    return asterisk.received().stream().filter(a -> "login".equalsIgnoreCase(a.get("action"))).count();
  }

  private Sipp.Result sendMessage(String node, String to, String body) throws Exception {
    return Sipp.scenario("send-message.xml", ports.get(node)[0]).key("domain", DOMAIN).key("from", "alice")
        .key("to", to).key("ctype", "text/plain").key("body", body).auth("alice", "alice-sip-pw").run();
  }

  private void register(String node, String user, int contactPort) throws Exception {
    Sipp.Result reg = Sipp.scenario("register-device.xml", ports.get(node)[0]).key("domain", DOMAIN).key("aor", user)
        .key("contact", user + "-desk").key("device", "127.0.0.1:" + contactPort).key("accept", "text/plain")
        .auth(user, user + "-sip-pw").run();
    assertTrue(reg.passed(), reg::toString);
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
    awaitTrue(what, check, 60);
  }

  private void awaitTrue(String what, NodeProcess.Check check, long seconds) throws Exception {
    NodeProcess.awaitTrue(what, seconds, check, () -> {
      StringBuilder out = new StringBuilder();
      byName.forEach((name, n) -> out.append("--- ").append(name).append('\n').append(n.output()).append('\n'));
      return out.toString() + "\nAMI: " + asterisk.received();
    });
  }
}
