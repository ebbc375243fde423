package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.EventAddresses;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.TestConfigs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.WebClientSession;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every API route, logged in as a user and as an admin, fed bad JSON, huge bodies, wrong types,
 * nulls, arrays and scalars where objects are expected, deep nesting, bad UTF-8, unknown fields and
 * garbage in paths and queries: every answer is a 4xx with a JSON body carrying {@code error} and
 * {@code message}, within a bounded time, and the server still serves {@code /api/health} after.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
class ApiFuzzTest {

  /** Requests in flight at once: enough to overlap, few enough for a busy 2-core machine. */
  private static final int CONCURRENCY = 8;
  /** Past this an answer counts as a hang. */
  private static final int ANSWER_TIMEOUT_MILLIS = 20_000;

  private Vertx vertx;
  private Switchboard switchboard;
  private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  private final Map<Integer, Integer> statuses = new TreeMap<>();

  /**
   * A route and a valid body for it (null for routes without one); the fuzz cases are made from it.
   *
   * @param nullable optional fields where null means "not given", by design: null there may succeed
   */
  private record Route(HttpMethod method, String path, JsonObject seed, Set<String> nullable) {
    Route(HttpMethod method, String path, JsonObject seed) {
      this(method, path, seed, Set.of());
    }
  }

  /**
   * One request: what to send, and how to say it in a failure.
   *
   * @param mayPass true for a request that is not wrong after all (null in a nullable field): any
   *     answer but a 5xx, in JSON
   */
  private record Case(HttpMethod method, String path, String contentType, Buffer body, String what, boolean mayPass) {
    Case(HttpMethod method, String path, String contentType, Buffer body, String what) {
      this(method, path, contentType, body, what, false);
    }
  }

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) throws Exception {
    this.vertx = vertx;
    switchboard = new Switchboard(vertx, TestConfigs.loopback(dir, FreePorts.udpAndTcp(), 0,
        Map.of("admin.password", "admin-password")), s -> { });
    switchboard.start().await();
    WebClientSession admin = Api.login(vertx, switchboard, "admin", "admin-password");
    Api.createUsers(admin, new String[] {"alice", "1001"}, new String[] {"bob", "1002"});
  }

  @AfterEach
  void stop() {
    if (switchboard != null) {
      switchboard.stop().await();
    }
  }

  @Test
  void everyBadRequestOnEveryRouteIsA4xxJsonErrorAndTheServerStaysHealthy() throws Exception {
    WebClientSession admin = Api.login(vertx, switchboard, "admin", "admin-password");
    WebClientSession alice = Api.login(vertx, switchboard, "alice", "alice-web-pw");
    // A room and a buddy, so that routes naming them get past "not found" to their checks.
    assertEquals(201, alice.post("/api/rooms").sendJsonObject(new JsonObject().put("name", "lunch")
        .put("members", new JsonArray().add("bob"))).await().statusCode());

    List<Case> cases = new ArrayList<>();
    for (Route route : routes()) {
      cases.addAll(bodyCases(route));
    }
    cases.addAll(pathAndQueryCases());
    System.out.println("ApiFuzzTest " + cases.size() + " cases, each as admin and as alice");

    run(admin, "admin", cases);
    run(alice, "alice", cases);
    // Logging in is fuzzed without a session (a success would change whose session it is).
    run(WebClientSession.create(client()), "anonymous", loginCases());

    System.out.println("ApiFuzzTest answers by status: " + statuses);
    failures.forEach(f -> System.out.println("ApiFuzzTest bad answer: " + f));
    assertTrue(failures.isEmpty(), () -> failures.size() + " bad answers, the first 20:\n"
        + String.join("\n", failures.stream().limit(20).toList()));

    HttpResponse<Buffer> health = client().get("/api/health").send().await();
    assertEquals(200, health.statusCode(), health.bodyAsString());
    // and it still does its work
    HttpResponse<Buffer> sent = alice.post("/api/messages").sendJsonObject(new JsonObject().put("to", "bob")
        .put("body", "still here")).await();
    assertEquals(202, sent.statusCode(), sent.bodyAsString());
  }

  // ---- what is sent --------------------------------------------------------------------------------

  private static List<Route> routes() {
    return List.of(
        new Route(HttpMethod.POST, "/api/users", new JsonObject().put("username", "zoe").put("displayName", "Zoe")
            .put("extension", "1009").put("password", "zoe-web-pw").put("sipPassword", "zoe-sip-pw"), Set.of("extension")),
        new Route(HttpMethod.PATCH, "/api/users/bob", new JsonObject().put("displayName", "Bob B.")),
        new Route(HttpMethod.POST, "/api/users/bob/devices", new JsonObject().put("kind", "desk-phone")
            .put("vendor", "yealink").put("model", "T46U").put("mac", "001565aabbcc").put("endpoint", "1002"), Set.of("model")),
        new Route(HttpMethod.PATCH, "/api/devices/no-such-device", new JsonObject().put("model", "T48U")),
        new Route(HttpMethod.POST, "/api/messages", new JsonObject().put("to", "bob").put("body", "hi")),
        new Route(HttpMethod.POST, "/api/rooms", new JsonObject().put("name", "tea").put("members", new JsonArray().add("bob"))),
        new Route(HttpMethod.POST, "/api/rooms/lunch/messages", new JsonObject().put("body", "pizza?")),
        new Route(HttpMethod.POST, "/api/buddies", new JsonObject().put("username", "bob").put("group", "team")
            .put("displayName", "Bob")),
        new Route(HttpMethod.PUT, "/api/presence/me", new JsonObject().put("state", "away").put("note", "lunch")
            .put("until", "2030-01-01T12:00:00Z"), Set.of("note", "until")),
        new Route(HttpMethod.PUT, "/api/presence/rules", new JsonObject().put("rules", new JsonArray()
            .add(new JsonObject().put("watcher", "bob").put("action", "allow")))),
        new Route(HttpMethod.POST, "/api/calls", new JsonObject().put("to", "bob").put("device", "dev-1")),
        new Route(HttpMethod.POST, "/api/import", null));
  }

  private static final String[] BAD_JSON = {"{", "{'to':'bob'}", "nul", "{\"a\":1}}", "{\"a\":1,}", "{\"a\":NaN}",
      "\u0000", "{\"a\":\"\\uZZZZ\"}"};
  private static final Object[] WRONG_VALUES = {-1, true, new JsonArray(), new JsonObject().put("x", 1)};

  private static List<Case> bodyCases(Route r) {
    List<Case> out = new ArrayList<>();
    String json = "application/json";
    if (r.seed() == null) {
      // The CSV import: garbage, bad UTF-8, a file over the limit, JSON where CSV is expected.
      out.add(new Case(r.method(), r.path(), "text/csv", Buffer.buffer("username,extension\n\"unterminated,1\n"), "bad CSV"));
      out.add(new Case(r.method(), r.path(), "text/csv", Buffer.buffer(new byte[] {'a', ',', (byte) 0xC3, 0x28, '\n'}), "bad UTF-8 CSV"));
      out.add(new Case(r.method(), r.path(), "text/csv", Buffer.buffer("x".repeat(EventAddresses.IMPORT_MAX_BYTES + 1)), "huge CSV"));
      out.add(new Case(r.method(), r.path(), "text/csv", Buffer.buffer(), "empty CSV"));
      out.add(new Case(r.method(), r.path(), json, Buffer.buffer("{\"username\":\"x\"}"), "JSON as CSV"));
      return out;
    }
    for (String bad : BAD_JSON) {
      out.add(new Case(r.method(), r.path(), json, Buffer.buffer(bad), "bad JSON " + bad));
    }
    out.add(new Case(r.method(), r.path(), json, Buffer.buffer(), "empty body"));
    for (String notAnObject : new String[] {"null", "[]", "[" + r.seed().encode() + "]", "1", "\"text\"", "true"}) {
      out.add(new Case(r.method(), r.path(), json, Buffer.buffer(notAnObject), "not an object: " + notAnObject));
    }
    String first = r.seed().fieldNames().iterator().next();
    out.add(new Case(r.method(), r.path(), json, Buffer.buffer(r.seed().copy().put(first, "x".repeat(300 * 1024)).encode()),
        "huge body (300 KiB)"));
    for (int depth : new int[] {600, 100_000}) {
      String nested = "{\"" + first + "\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
      out.add(new Case(r.method(), r.path(), json, Buffer.buffer(nested), "nesting " + depth + " deep"));
    }
    out.add(new Case(r.method(), r.path(), json, badUtf8(r.seed(), first), "bad UTF-8 in " + first));
    out.add(new Case(r.method(), r.path(), "text/plain", Buffer.buffer(r.seed().encode()), "not JSON's content type"));
    out.add(new Case(r.method(), r.path(), json, Buffer.buffer(r.seed().copy().put("fuzz", 1).encode()), "unknown field"));
    out.add(new Case(r.method(), r.path(), json, Buffer.buffer(r.seed().copy().put("", "x").encode()), "empty field name"));
    for (String field : r.seed().fieldNames()) {
      Object seedValue = r.seed().getValue(field);
      for (Object wrong : WRONG_VALUES) {
        if (!sameJsonType(seedValue, wrong)) {
          out.add(new Case(r.method(), r.path(), json, Buffer.buffer(r.seed().copy().put(field, wrong).encode()),
              field + " = " + wrong));
        }
      }
      if (seedValue instanceof String) {
        out.add(new Case(r.method(), r.path(), json, Buffer.buffer(r.seed().copy().putNull(field).encode()), field + " = null",
            r.nullable().contains(field)));
      }
      if (seedValue instanceof JsonArray) {
        out.add(new Case(r.method(), r.path(), json, Buffer.buffer(r.seed().copy()
            .put(field, new JsonArray().add(42).addNull().add(new JsonArray())).encode()), field + " with bad elements"));
      }
    }
    return out;
  }

  private static boolean sameJsonType(Object a, Object b) {
    return a instanceof String && b instanceof String || a instanceof JsonArray && b instanceof JsonArray
        || a instanceof JsonObject && b instanceof JsonObject;
  }

  /** The seed with bytes that are not UTF-8 (a lone continuation, an overlong NUL) in a string value. */
  private static Buffer badUtf8(JsonObject seed, String field) {
    String marker = "@@BAD@@";
    byte[] text = seed.copy().put(field, marker).encode().getBytes(StandardCharsets.UTF_8);
    String s = new String(text, StandardCharsets.ISO_8859_1);
    int at = s.indexOf(marker);
    Buffer b = Buffer.buffer();
    b.appendBytes(text, 0, at);
    b.appendBytes(new byte[] {'a', (byte) 0xC3, 0x28, (byte) 0xC0, (byte) 0x80, (byte) 0xFF});
    b.appendBytes(text, at + marker.length(), text.length - at - marker.length());
    return b;
  }

  private static List<Case> pathAndQueryCases() {
    List<Case> out = new ArrayList<>();
    String[] garbage = {"%ZZ", "%00", "%C3%28", "%FF%FE", "a".repeat(4000), "..%2F..%2Fetc%2Fpasswd", "%20", "x%0D%0AInjected:1"};
    for (String g : garbage) {
      out.add(new Case(HttpMethod.GET, "/api/users/" + g, null, null, "user " + g));
      out.add(new Case(HttpMethod.GET, "/api/users/" + g + "/devices", null, null, "devices of " + g));
      out.add(new Case(HttpMethod.GET, "/api/users/" + g + "/registrations", null, null, "registrations of " + g));
      out.add(new Case(HttpMethod.DELETE, "/api/users/" + g, null, null, "delete user " + g));
      out.add(new Case(HttpMethod.GET, "/api/devices/" + g, null, null, "device " + g));
      out.add(new Case(HttpMethod.DELETE, "/api/devices/" + g, null, null, "delete device " + g));
      out.add(new Case(HttpMethod.GET, "/api/presence/" + g, null, null, "presence of " + g));
      out.add(new Case(HttpMethod.DELETE, "/api/buddies/" + g, null, null, "delete buddy " + g));
      out.add(new Case(HttpMethod.DELETE, "/api/rooms/" + g, null, null, "delete room " + g));
      out.add(new Case(HttpMethod.POST, "/api/rooms/" + g + "/messages", "application/json",
          Buffer.buffer("{\"body\":\"hi\"}"), "message to room " + g));
      out.add(new Case(HttpMethod.GET, "/api/messages?with=" + g, null, null, "history with " + g));
    }
    for (String q : new String[] {"", "with=", "with=bob&limit=abc", "with=bob&limit=-1", "with=bob&limit=99999999999",
        "with=bob&limit=0", "with=bob&before=yesterday", "with=bob&before=%00", "with=bob&before=99999-01-01T00:00:00Z",
        "with=bob&limit=1e3", "with=%FF"}) {
      out.add(new Case(HttpMethod.GET, "/api/messages?" + q, null, null, "history ?" + q));
    }
    for (String p : new String[] {"/api/nothing", "/api/users/bob/nothing", "/api/%", "/api/health/%ZZ"}) {
      out.add(new Case(HttpMethod.GET, p, null, null, "unknown " + p));
    }
    out.add(new Case(HttpMethod.PATCH, "/api/presence/me", "application/json", Buffer.buffer("{}"), "a method the route lacks"));
    return out;
  }

  private static List<Case> loginCases() {
    return bodyCases(new Route(HttpMethod.POST, "/api/login",
        new JsonObject().put("username", "alice").put("password", "alice-web-pw")));
  }

  // ---- how it is sent and judged ---------------------------------------------------------------------

  private WebClient client() {
    return WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(switchboard.web().actualPort()));
  }

  private void run(WebClientSession session, String who, List<Case> cases) {
    for (int from = 0; from < cases.size(); from += CONCURRENCY) {
      List<Future<Void>> batch = new ArrayList<>();
      for (Case c : cases.subList(from, Math.min(cases.size(), from + CONCURRENCY))) {
        batch.add(send(session, c).transform(r -> {
          judge(who, c, r.succeeded() ? r.result() : null, r.cause());
          return Future.<Void>succeededFuture();
        }));
      }
      Future.join(batch).await();
    }
  }

  private Future<HttpResponse<Buffer>> send(WebClientSession session, Case c) {
    var request = session.request(c.method(), c.path()).timeout(ANSWER_TIMEOUT_MILLIS);
    if (c.contentType() != null) {
      request.putHeader("Content-Type", c.contentType());
    }
    return c.body() == null ? request.send() : request.sendBuffer(c.body());
  }

  private void judge(String who, Case c, HttpResponse<Buffer> r, Throwable error) {
    String at = who + " " + c.method() + " " + abbreviate(c.path()) + " [" + abbreviate(c.what()) + "]: ";
    if (r == null) {
      failures.add(at + "no answer: " + error);
      return;
    }
    synchronized (statuses) {
      statuses.merge(r.statusCode(), 1, Integer::sum);
    }
    String body = r.bodyAsString();
    if (c.mayPass() && r.statusCode() < 400) {
      return;
    }
    if (r.statusCode() < 400 || r.statusCode() > 499) {
      failures.add(at + r.statusCode() + " " + abbreviate(body));
      return;
    }
    try {
      JsonObject json = new JsonObject(body);
      if (!(json.getValue("error") instanceof String) || !(json.getValue("message") instanceof String)) {
        failures.add(at + r.statusCode() + " without error and message: " + abbreviate(body));
      }
    } catch (RuntimeException notJson) {
      failures.add(at + r.statusCode() + " not a JSON object: " + abbreviate(body));
    }
  }

  private static String abbreviate(String s) {
    return s == null ? "null" : s.length() > 120 ? s.substring(0, 120) + "…(" + s.length() + ")" : s;
  }
}
