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
@Timeout(value = 400, unit = TimeUnit.SECONDS)
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
    for (String user : List.of("alice", "bob", "carol")) {
      HttpResponse<String> r = admin.send(post("a", "/api/users", new JsonObject().put("username", user)
          .put("extension", String.valueOf(2000 + user.length() + user.charAt(0))).put("password", user + "-web-pw")
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
  void nodeBKilledLosesNoAnsweredMessageItsPhonesMoveAndTheAmiLinkIsTakenOver() throws Exception {
    // A phone of B's, and a MESSAGE to bob (no phone anywhere) answered 202 by B: stored.
    int carolPort = FreePorts.udpAndTcp();
    register("b", "carol", carolPort);
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
    }
    System.out.println("[failover] kill -9 to both survivors' health without B: "
        + Duration.between(killed, Instant.now()).toMillis() + " ms");
    // The survivors dropped B's bindings: carol has none until her phone re-registers.
    awaitTrue("carol's binding on B dropped", () -> bindingsOn("a", "carol") == 0 && bindingsOn("c", "carol") == 0);

    // B's phone re-registers with C and receives a MESSAGE sent through A there, from C.
    Sipp.Running carolPhone = Sipp.device("receive-message.xml", carolPort, 1).start();
    try {
      register("c", "carol", carolPort);
      awaitTrue("A knows carol's binding on C", () -> bindingsOn("a", "carol") == 1);
      Sipp.Result sent = sendMessage("a", "carol", "after the failover");
      assertEquals(200, SippTrace.lastStatus(sent.messages()), () -> sent + "\n--- c\n" + byName.get("c").output());
      Sipp.Result phone = carolPhone.await();
      assertTrue(phone.passed(), phone::toString);
      List<SippTrace.Message> got = SippTrace.received(phone.messages(), "MESSAGE");
      assertEquals(1, got.size(), phone.messages());
      assertTrue(got.get(0).body().contains("after the failover"), got.get(0).body());
      assertTrue(got.get(0).header("Via").contains("127.0.0.1:" + ports.get("c")[0]), got.get(0).header("Via"));
    } finally {
      carolPhone.stop();
    }

    // Bob registers on C: the message B answered 202 arrives, once; then a live one (a second copy of the
    // stored one would have taken its place).
    int bobPort = FreePorts.udpAndTcp();
    Sipp.Running bobPhone = Sipp.device("receive-message.xml", bobPort, 2).start();
    try {
      register("c", "bob", bobPort);
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
