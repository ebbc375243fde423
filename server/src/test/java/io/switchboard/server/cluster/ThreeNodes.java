package io.switchboard.server.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.Sipp;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Three nodes A, B and C on loopback, each a process of its own ({@link NodeProcess}), clustered over
 * TCP/IP and sharing A's embedded store through its store.serve-port, for the cluster ITs. Made with the
 * test's directory and admin password, given the config every node adds ({@link #config}) and, with
 * {@link #withAmi}, a {@link FakeAsterisk} that B and C are configured with (B started first holds the
 * link, C is the standby); {@link #start} starts them and awaits three members everywhere, {@link #close}
 * kills whatever was started (so an {@code @AfterAll} cleans up after a start that failed half-way).
 * The helpers speak to a node by its name ("a", "b", "c"): its SIP port, its console's REST API, its health.
 */
final class ThreeNodes implements AutoCloseable {

  static final String DOMAIN = "switchboard.test";
  private static final List<String> NAMES = List.of("a", "b", "c");

  private final Path dir;
  private final String adminPassword;
  private final Map<String, String> config = new LinkedHashMap<>();
  private final Map<String, int[]> ports = new LinkedHashMap<>(); // name -> sip, web, cluster
  private final Map<String, NodeProcess> byName = new LinkedHashMap<>();
  private boolean ami;
  private FakeAsterisk asterisk;

  /** Three nodes with their data under {@code dir}, an admin with {@code adminPassword}; not started. */
  ThreeNodes(Path dir, String adminPassword) {
    this.dir = dir;
    this.adminPassword = adminPassword;
  }

  /** {@code key=value} in every node's configuration. */
  ThreeNodes config(String key, String value) {
    config.put(key, value);
    return this;
  }

  /** An AMI replay server for B and C: B starts first and holds the link, C is the standby. */
  ThreeNodes withAmi() {
    ami = true;
    return this;
  }

  /**
   * Starts A (serving the store) and, once it is up, B and C on A's store; with AMI, C only once B has
   * logged in. Returns when every node sees three members (and, with AMI, C is the standby).
   */
  ThreeNodes start() throws Exception {
    if (ami) {
      asterisk = new FakeAsterisk("uc", "ucsecret");
    }
    for (String name : NAMES) {
      ports.put(name, new int[] {FreePorts.udpAndTcp(), FreePorts.udpAndTcp(), FreePorts.udpAndTcp()});
    }
    int storePort = FreePorts.udpAndTcp();
    String members = String.join(",", ports.values().stream().map(p -> "127.0.0.1:" + p[2]).toList());
    start("a", members, Map.of("store.serve-port", String.valueOf(storePort))).awaitUp(150); // the store first
    Map<String, String> onStore = new LinkedHashMap<>();
    if (ami) {
      onStore.putAll(Map.of("ami.host", "127.0.0.1", "ami.port", String.valueOf(asterisk.port()),
          "ami.username", "uc", "ami.secret", "ucsecret"));
    }
    onStore.put("mongo.uri", "mongodb://127.0.0.1:" + storePort);
    if (ami) {
      start("b", members, onStore).awaitUp(150);
      // B holds the AMI link before C exists: C can only be the standby.
      asterisk.awaitActions("Login", 1).get(60, TimeUnit.SECONDS);
      start("c", members, onStore).awaitUp(150);
    } else {
      NodeProcess b = start("b", members, onStore);
      NodeProcess c = start("c", members, onStore);
      b.awaitUp(150);
      c.awaitUp(150);
    }
    // Every node sees the other two before the test sends anything across.
    for (String name : NAMES) {
      awaitTrue("node " + name + " sees three members", () -> memberNodes(name).size() == 3);
    }
    if (ami) {
      awaitTrue("C is the AMI standby", () -> "standby".equals(component("c", "ami").getString("role")));
    }
    return this;
  }

  private NodeProcess start(String name, String members, Map<String, String> more) throws Exception {
    int[] p = ports.get(name);
    Map<String, String> withConfig = new LinkedHashMap<>(config);
    withConfig.putAll(more);
    Map<String, String> nodeConfig = NodeProcess.loopbackNode(p[0], p[1], p[2], members, DOMAIN, adminPassword,
        dir.resolve(name), withConfig);
    NodeProcess node = NodeProcess.start(name, dir.resolve(name), nodeConfig);
    byName.put(name, node);
    return node;
  }

  /** Creates the users through A's REST API (password {@code <user>-web-pw}, SIP password {@code <user>-sip-pw}). */
  void addUsers(List<String> users, Function<String, String> extension) throws Exception {
    HttpClient admin = login("a");
    for (String user : users) {
      HttpResponse<String> r = admin.send(post("a", "/api/users", new JsonObject().put("username", user)
          .put("extension", extension.apply(user)).put("password", user + "-web-pw")
          .put("sipPassword", user + "-sip-pw")), HttpResponse.BodyHandlers.ofString());
      assertEquals(201, r.statusCode(), r.body());
    }
  }

  /** Kills every node started, then closes the AMI replay server. */
  @Override
  public void close() throws Exception {
    for (NodeProcess n : byName.values()) {
      n.kill();
    }
    if (asterisk != null) {
      asterisk.close();
    }
  }

  List<String> names() {
    return NAMES;
  }

  NodeProcess node(String name) {
    return byName.get(name);
  }

  /** The AMI replay server (with {@link #withAmi}). */
  FakeAsterisk asterisk() {
    return asterisk;
  }

  /** The logins the AMI replay server has seen. */
  long logins() {
    return asterisk.received().stream().filter(a -> "login".equalsIgnoreCase(a.get("action"))).count();
  }

  int sip(String node) {
    return ports.get(node)[0];
  }

  int webPort(String node) {
    return ports.get(node)[1];
  }

  String web(String node) {
    return "http://127.0.0.1:" + webPort(node);
  }

  /** The component {@code name} of the node's health (empty if it lists none). */
  JsonObject component(String node, String name) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(web(node)
        + "/api/health")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    JsonObject c = new JsonObject(r.body()).getJsonObject("components").getJsonObject(name);
    return c == null ? new JsonObject() : c;
  }

  /** The Vert.x node ids the node's health lists as members. */
  List<String> memberNodes(String node) throws Exception {
    JsonArray members = component(node, "cluster").getJsonArray("members", new JsonArray());
    return members.stream().map(m -> ((JsonObject) m).getString("node")).toList();
  }

  /** How many bindings {@code node}'s console lists for the user (-1 if it answers none). */
  int bindingsOn(String node, String user) throws Exception {
    HttpResponse<String> r = registrations(node, user);
    JsonArray bindings = r.statusCode() == 200 ? new JsonObject(r.body()).getJsonArray("bindings") : null;
    return bindings == null ? -1 : bindings.size();
  }

  /** The node of the user's first binding, as {@code node}'s console lists it. */
  String nodeOfBinding(String node, String user) throws Exception {
    HttpResponse<String> r = registrations(node, user);
    return new JsonObject(r.body()).getJsonArray("bindings").getJsonObject(0).getString("node", "");
  }

  private HttpResponse<String> registrations(String node, String user) throws Exception {
    return login(node).send(HttpRequest.newBuilder(URI.create(web(node) + "/api/users/" + user + "/registrations"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** An HTTP client logged in as admin on the node's console. */
  HttpClient login(String node) throws Exception {
    return login(node, "admin", adminPassword);
  }

  /** An HTTP client (with its cookies) logged in as {@code user} on the node's console. */
  HttpClient login(String node, String user, String password) throws Exception {
    HttpClient client = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
    HttpResponse<String> r = client.send(post(node, "/api/login", new JsonObject().put("username", user)
        .put("password", password)), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return client;
  }

  HttpRequest post(String node, String path, JsonObject body) {
    return HttpRequest.newBuilder(URI.create(web(node) + path)).timeout(Duration.ofSeconds(20))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build();
  }

  /** Registers a phone for the user on the node (the server's default expiry). */
  void register(String node, String user, int contactPort) throws Exception {
    Sipp.Result reg = Sipp.scenario("register-device.xml", sip(node)).key("domain", DOMAIN).key("aor", user)
        .key("contact", user + "-desk").key("device", "127.0.0.1:" + contactPort).key("accept", "text/plain")
        .auth(user, user + "-sip-pw").run();
    assertTrue(reg.passed(), reg::toString);
  }

  /** Registers a phone for the user on the node for {@code expires} seconds. */
  void register(String node, String user, int contactPort, int expires) throws Exception {
    Sipp.Result reg = Sipp.scenario("register-device-expires.xml", sip(node)).key("domain", DOMAIN).key("aor", user)
        .key("contact", user + "-desk").key("device", "127.0.0.1:" + contactPort).key("accept", "text/plain")
        .key("expires", String.valueOf(expires)).auth(user, user + "-sip-pw").run();
    assertTrue(reg.passed(), reg::toString);
  }

  /** A MESSAGE from alice to {@code to} sent through the node. */
  Sipp.Result sendMessage(String node, String to, String body) throws Exception {
    return Sipp.scenario("send-message.xml", sip(node)).key("domain", DOMAIN).key("from", "alice")
        .key("to", to).key("ctype", "text/plain").key("body", body).auth("alice", "alice-sip-pw").run();
  }

  /** Awaits (60 s) what the nodes make true; on timeout fails with every node's output (and the AMI's). */
  void awaitTrue(String what, NodeProcess.Check check) throws Exception {
    awaitTrue(what, check, 60);
  }

  void awaitTrue(String what, NodeProcess.Check check, long seconds) throws Exception {
    NodeProcess.awaitTrue(what, seconds, check, () -> {
      StringBuilder out = new StringBuilder();
      byName.forEach((name, n) -> out.append("--- ").append(name).append('\n').append(n.output()).append('\n'));
      return out + (asterisk == null ? "" : "\nAMI: " + asterisk.received());
    });
  }
}
