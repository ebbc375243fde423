package io.switchboard.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.account.PasswordLinks;
import io.switchboard.core.backup.BackupWriter;
import io.switchboard.core.backup.Backups;
import io.switchboard.core.store.MongoPasswordLinkStore;
import io.switchboard.core.store.MongoStore;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.WebClientSession;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAPI document against the console as it runs: every route the router has is described and
 * nothing else; the document is served; requests are validated against it, with the field and the
 * rule named in the 400's JSON body.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class ApiDocumentTest {

  private static final String ADMIN_PASSWORD = "admin-password-1";

  private Vertx vertx;
  private ConsoleOnStore console;
  private MongoStore store;
  private WebConsole web;
  private WebClientOptions options;

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) {
    this.vertx = vertx;
    console = ConsoleOnStore.start(vertx, dir, ADMIN_PASSWORD, p -> new WebConsole(p.config().web(), p.config().tls(), p.health(), p.accounts(),
        new PasswordLinks(p.accounts(), new MongoPasswordLinkStore(vertx, p.store()), Clock.systemUTC()), p.tokens(),
        Clock.systemUTC()).withBackups(new Backups(BackupWriter.of(p.store(), "test", Clock.systemUTC()), null, Clock.systemUTC())));
    store = console.store;
    web = console.web;
    options = console.options;
  }

  @AfterEach
  void stop() {
    console.close(vertx);
  }


  /** "METHOD /api/path/{param}" for every route of the router that answers one method on one exact path. */
  private Set<String> routerOperations() {
    Set<String> ops = new TreeSet<>();
    for (Route route : web.router().getRoutes()) {
      String path = route.getPath();
      if (path == null || !path.startsWith("/api/") && !path.startsWith("/f/") || (!route.isExactPath() && !path.contains(":"))
          || route.methods() == null || route.methods().isEmpty()) {
        continue; // handlers for every method or under a prefix: sessions, bodies, checks, not operations
      }
      for (HttpMethod m : route.methods()) {
        ops.add(m.name() + " " + path.replaceAll(":([A-Za-z0-9_]+)", "{$1}"));
      }
    }
    return ops;
  }

  private Set<String> documentOperations() {
    Set<String> ops = new TreeSet<>();
    JsonObject paths = ApiContract.readDocument().getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      for (String method : paths.getJsonObject(path).fieldNames()) {
        if (!method.equals("parameters")) {
          ops.add(method.toUpperCase() + " " + path);
        }
      }
    }
    return ops;
  }

  @Test
  void everyRouteIsInTheDocumentAndNothingElse() {
    Set<String> router = routerOperations();
    Set<String> document = documentOperations();
    Set<String> undocumented = new TreeSet<>(router);
    undocumented.removeAll(document);
    Set<String> missing = new TreeSet<>(document);
    missing.removeAll(router);
    assertTrue(undocumented.isEmpty(), "routes missing from openapi.yaml: " + undocumented);
    assertTrue(missing.isEmpty(), "openapi.yaml names routes the router lacks: " + missing);
    assertTrue(router.size() > 40, "the walk found the routes: " + router);
  }

  @Test
  void theDocumentIsServedWithoutASession() {
    HttpResponse<Buffer> r = WebClient.create(vertx, options).get("/api/openapi.json").send().await();
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonObject doc = r.bodyAsJsonObject();
    assertEquals("3.1.0", doc.getString("openapi"));
    assertEquals(documentOperations().size(), doc.getJsonObject("paths").fieldNames().stream()
        .mapToLong(p -> doc.getJsonObject("paths").getJsonObject(p).fieldNames().stream()
            .filter(m -> !m.equals("parameters")).count()).sum());
    assertTrue(doc.getJsonObject("components").getJsonObject("schemas").containsKey("Error"));
  }

  private WebClientSession admin() {
    WebClientSession c = WebClientSession.create(WebClient.create(vertx, options));
    assertEquals(200, c.post("/api/login").sendJsonObject(new JsonObject().put("username", "admin")
        .put("password", ADMIN_PASSWORD)).await().statusCode());
    return c;
  }

  private static JsonObject invalid(HttpResponse<Buffer> r, String field, String message) {
    assertEquals(400, r.statusCode(), r.bodyAsString());
    JsonObject body = r.bodyAsJsonObject();
    assertEquals("invalid", body.getString("error"), body.encode());
    assertEquals(field, body.getString("field"), body.encode());
    assertEquals(message, body.getString("message"), body.encode());
    return body;
  }

  @Test
  void badBodiesAndParametersNameTheFieldAndTheRule() {
    WebClientSession admin = admin();
    // A wrong type, a missing field, an unknown field, a rule from the document, deep in a list, a query parameter.
    invalid(admin.post("/api/users").sendJsonObject(new JsonObject().put("username", 42).put("password", "long-enough-1"))
        .await(), "username", "username: must be a string");
    invalid(admin.post("/api/users").sendJsonObject(new JsonObject().put("username", "zoe")).await(),
        "password", "password: required");
    invalid(admin.post("/api/messages").sendJsonObject(new JsonObject().put("to", "bob").put("body", "hi").put("fuzz", 1))
        .await(), "fuzz", "fuzz: unknown field; expected one of [body, to]");
    invalid(admin.post("/api/users").sendJsonObject(new JsonObject().put("username", "zoe").put("password", "long-enough-1")
        .put("role", "root")).await(), "role", "role: one of admin, user, broadcaster");
    invalid(admin.put("/api/presence/rules").sendJsonObject(new JsonObject().put("rules", new JsonArray()
        .add(new JsonObject().put("watcher", "bob").put("action", 7)))).await(), "rules", "rules[0].action: must be a string");
    invalid(admin.post("/api/users/bob/devices").sendJsonObject(new JsonObject().put("kind", "web")
        .put("profile", new JsonObject().put("accept", new JsonArray()))).await(), "profile",
        "profile.accept: a list with at least 1 item");
    invalid(admin.get("/api/messages?with=bob&limit=500").send().await(), "limit", "limit: a whole number from 1 to 200");
    invalid(admin.get("/api/messages?with=bob&limit=many").send().await(), "limit", "limit: a whole number from 1 to 200");
    invalid(admin.get("/api/messages").send().await(), "with",
        "with: required: the other person's username or extension");
    // A valid request passes the validator and reaches its route.
    HttpResponse<Buffer> ok = admin.post("/api/users").sendJsonObject(new JsonObject().put("username", "zoe")
        .put("password", "long-enough-1")).await();
    assertEquals(201, ok.statusCode(), ok.bodyAsString());
  }

  @Test
  void theDocumentSaysWhoMayCall() {
    WebClientSession bob = WebClientSession.create(WebClient.create(vertx, options));
    assertEquals(200, bob.post("/api/login").sendJsonObject(new JsonObject().put("username", "bob")
        .put("password", "bob-web-pw")).await().statusCode());
    // An administrators' operation: 403 before the body is judged.
    HttpResponse<Buffer> r = bob.post("/api/users").sendJsonObject(new JsonObject().put("username", 42)).await();
    assertEquals(403, r.statusCode(), r.bodyAsString());
    // Signed out: 401, also for a GET with a bad parameter.
    HttpResponse<Buffer> anonymous = WebClient.create(vertx, options).get("/api/messages?limit=0").send().await();
    assertEquals(401, anonymous.statusCode(), anonymous.bodyAsString());
    assertEquals(List.of("unauthorized"), List.of(anonymous.bodyAsJsonObject().getString("error")));
  }
}
