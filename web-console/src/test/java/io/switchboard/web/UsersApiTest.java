package io.switchboard.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.account.UserAccounts;
import io.switchboard.api.EventAddresses;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.health.Health;
import io.switchboard.core.security.Digest;
import io.switchboard.core.store.MongoStore;
import io.switchboard.core.store.MongoUserStore;
import io.switchboard.core.testing.TestConfigs;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.WebClientSession;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The administration API over real HTTP against the embedded store: every status code it promises. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class UsersApiTest {

  private static final String ADMIN_PASSWORD = "admin-password-1";

  private Vertx vertx;
  private MongoStore store;
  private WebConsole web;
  private WebClientOptions options;

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) throws Exception {
    this.vertx = vertx;
    SwitchboardConfig config = TestConfigs.loopback(dir, 0, 0, Map.of("web.login.max-failures", "3"));
    store = vertx.executeBlocking(() -> MongoStore.open(config.store())).await();
    MongoUserStore users = new MongoUserStore(vertx, store);
    vertx.executeBlocking(() -> {
      users.createIndexes();
      return null;
    }).await();
    UserAccounts accounts = new UserAccounts(vertx, users, config.sip().domain());
    accounts.ensureAdmin(java.util.Optional.of(ADMIN_PASSWORD)).await();
    Health health = new Health();
    health.report("store", Health.State.UP);
    web = new WebConsole(config.web(), health, accounts);
    vertx.deployVerticle(web).await();
    options = new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(web.actualPort());
  }

  @AfterEach
  void stop() {
    vertx.executeBlocking(() -> {
      store.close();
      return null;
    }).await();
  }

  private WebClientSession client() {
    return WebClientSession.create(WebClient.create(vertx, options));
  }

  private HttpResponse<Buffer> post(WebClientSession c, String path, JsonObject body) {
    return c.post(path).sendJsonObject(body).await();
  }

  private WebClientSession loggedIn(String username, String password) {
    WebClientSession c = client();
    HttpResponse<Buffer> r = post(c, "/api/login", new JsonObject().put("username", username).put("password", password));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return c;
  }

  private JsonObject alice() {
    return new JsonObject().put("username", "alice").put("displayName", "Alice Liddell").put("extension", "1001")
        .put("password", "alice-web-pass").put("sipPassword", "alice-sip-pass");
  }

  private static void assertError(HttpResponse<Buffer> r, int status, String field) {
    assertEquals(status, r.statusCode(), r.bodyAsString());
    assertTrue(r.getHeader("Content-Type").startsWith("application/json"), "JSON error body");
    JsonObject body = r.bodyAsJsonObject();
    assertNotNull(body.getString("message"), "says what is wrong");
    if (field != null) {
      assertEquals(field, body.getString("field"), body.encode());
    }
  }

  @Test
  void healthShowsEachComponent() {
    HttpResponse<Buffer> r = client().get("/api/health").send().await();
    assertEquals(200, r.statusCode());
    JsonObject components = r.bodyAsJsonObject().getJsonObject("components");
    assertEquals("up", components.getJsonObject("store").getString("state"));
    assertEquals("up", components.getJsonObject("web").getString("state"));
  }

  @Test
  void loginLogoutAndSessions() {
    assertError(client().get("/api/users").send().await(), 401, null);
    assertError(post(client(), "/api/login", new JsonObject().put("username", "admin").put("password", "wrong-one")),
        401, null);
    assertError(post(client(), "/api/login", new JsonObject().put("username", "admin")), 400, "password");
    WebClientSession admin = client();
    HttpResponse<Buffer> login = post(admin, "/api/login",
        new JsonObject().put("username", "admin").put("password", ADMIN_PASSWORD));
    assertEquals(200, login.statusCode());
    String cookie = login.getHeader("Set-Cookie");
    assertTrue(cookie.toLowerCase().contains("httponly") && cookie.contains("SameSite=Strict"), cookie);
    assertEquals(200, admin.get("/api/users").send().await().statusCode());
    assertEquals(204, admin.post("/api/logout").putHeader("Content-Type", "application/json").send().await().statusCode());
    assertError(admin.get("/api/users").send().await(), 401, null);
  }

  @Test
  void repeatedLoginFailuresAreRefusedFor429() {
    for (int i = 0; i < 3; i++) {
      assertError(post(client(), "/api/login", new JsonObject().put("username", "admin").put("password", "guess-" + i)),
          401, null);
    }
    HttpResponse<Buffer> r = post(client(), "/api/login",
        new JsonObject().put("username", "admin").put("password", ADMIN_PASSWORD));
    assertError(r, 429, null);
    assertTrue(Integer.parseInt(r.getHeader("Retry-After")) > 0);
  }

  @Test
  void adminCreatesListsReadsPatchesAndDeletes() throws Exception {
    WebClientSession admin = loggedIn("admin", ADMIN_PASSWORD);
    Promise<JsonObject> created = Promise.promise();
    vertx.eventBus().<JsonObject>consumer(EventAddresses.USER_CHANGED, m -> created.tryComplete(m.body()));

    HttpResponse<Buffer> r = post(admin, "/api/users", alice());
    assertEquals(201, r.statusCode(), r.bodyAsString());
    assertEquals("/api/users/alice", r.getHeader("Location"));
    assertEquals("1001", r.bodyAsJsonObject().getString("extension"));
    assertEquals("CREATED", created.future().await(5, TimeUnit.SECONDS).getString("change"));

    JsonObject list = admin.get("/api/users").send().await().bodyAsJsonObject();
    assertEquals(2, list.getJsonArray("users").size());
    assertEquals("Alice Liddell", admin.get("/api/users/alice").send().await().bodyAsJsonObject().getString("displayName"));
    assertError(admin.get("/api/users/nobody").send().await(), 404, null);

    HttpResponse<Buffer> patched = admin.patch("/api/users/alice")
        .sendJsonObject(new JsonObject().put("displayName", "Alice L.").put("extension", "1005")).await();
    assertEquals(200, patched.statusCode(), patched.bodyAsString());
    assertEquals("1005", patched.bodyAsJsonObject().getString("extension"));
    assertError(admin.patch("/api/users/nobody").sendJsonObject(new JsonObject().put("displayName", "X")).await(), 404, null);

    assertEquals(204, admin.delete("/api/users/alice").send().await().statusCode());
    assertError(admin.get("/api/users/alice").send().await(), 404, null);
    assertError(admin.delete("/api/users/alice").send().await(), 404, null);
  }

  @Test
  void validationNamesTheField() {
    WebClientSession admin = loggedIn("admin", ADMIN_PASSWORD);
    assertError(post(admin, "/api/users", alice().put("username", "Alice!")), 400, "username");
    // sip:room-<name> addresses rooms: a user named so could never be reached.
    HttpResponse<Buffer> roomLike = post(admin, "/api/users", alice().put("username", "room-service"));
    assertError(roomLike, 400, "username");
    assertTrue(roomLike.bodyAsJsonObject().getString("message").contains("room-"), roomLike.bodyAsString());
    assertError(post(admin, "/api/users", alice().put("extension", "12a")), 400, "extension");
    assertError(post(admin, "/api/users", alice().put("password", "short")), 400, "password");
    assertError(post(admin, "/api/users", alice().put("sipPassword", "short")), 400, "sipPassword");
    assertError(post(admin, "/api/users", alice().put("role", "root")), 400, "role");
    assertError(post(admin, "/api/users", alice().put("extention", "1001")), 400, "extention");
    assertError(post(admin, "/api/users", alice().put("displayName", "bad\u0007name")), 400, "displayName");
    assertError(post(admin, "/api/users", alice().put("password", 12345678)), 400, "password");
    assertError(admin.patch("/api/users/admin").sendJsonObject(new JsonObject()).await(), 400, null);
    HttpResponse<Buffer> notJson = admin.post("/api/users").putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer("{not json")).await();
    assertError(notJson, 400, null);
    HttpResponse<Buffer> form = admin.post("/api/users").putHeader("Content-Type", "application/x-www-form-urlencoded")
        .sendBuffer(Buffer.buffer("username=x")).await();
    assertError(form, 415, null);
  }

  @Test
  void duplicatesAreConflicts() {
    WebClientSession admin = loggedIn("admin", ADMIN_PASSWORD);
    assertEquals(201, post(admin, "/api/users", alice()).statusCode());
    assertError(post(admin, "/api/users", alice().put("extension", "1009")), 409, "username");
    assertError(post(admin, "/api/users", alice().put("username", "alicia")), 409, "extension");
    assertError(admin.delete("/api/users/admin").send().await(), 409, null);
    assertError(admin.patch("/api/users/admin").sendJsonObject(new JsonObject().put("enabled", false)).await(), 409, "enabled");
  }

  @Test
  void usersAreNotAdmins() {
    WebClientSession admin = loggedIn("admin", ADMIN_PASSWORD);
    assertEquals(201, post(admin, "/api/users", alice()).statusCode());
    WebClientSession alice = loggedIn("alice", "alice-web-pass");
    assertEquals("alice", alice.get("/api/me").send().await().bodyAsJsonObject().getString("username"));
    assertError(alice.get("/api/users").send().await(), 403, null);
    assertError(post(alice, "/api/users", alice().put("username", "eve").put("extension", "1666")), 403, null);
  }

  @Test
  void disablingAUserEndsTheirSession() {
    WebClientSession admin = loggedIn("admin", ADMIN_PASSWORD);
    assertEquals(201, post(admin, "/api/users", alice()).statusCode());
    WebClientSession alice = loggedIn("alice", "alice-web-pass");
    assertEquals(200, admin.patch("/api/users/alice").sendJsonObject(new JsonObject().put("enabled", false)).await().statusCode());
    assertError(alice.get("/api/me").send().await(), 401, null);
    assertError(post(client(), "/api/login", new JsonObject().put("username", "alice").put("password", "alice-web-pass")),
        401, null);
  }

  @Test
  void noPlaintextSecretIsStored() {
    WebClientSession admin = loggedIn("admin", ADMIN_PASSWORD);
    assertEquals(201, post(admin, "/api/users", alice()).statusCode());
    Document doc = vertx.executeBlocking(() -> store.database().getCollection("users")
        .find(new Document("username", "alice")).first()).await();
    String raw = doc.toJson();
    assertFalse(raw.contains("alice-web-pass"), raw);
    assertFalse(raw.contains("alice-sip-pass"), raw);
    assertTrue(doc.getString("passwordHash").startsWith("pbkdf2-sha512$"));
    Document ha1 = doc.get("sipHa1", Document.class);
    assertEquals(Digest.ha1(Digest.MD5, "alice", "switchboard.test", "alice-sip-pass"), ha1.getString("MD5"));
    assertEquals(Digest.ha1(Digest.SHA_256, "alice", "switchboard.test", "alice-sip-pass"), ha1.getString("SHA-256"));
    String api = admin.get("/api/users/alice").send().await().bodyAsString();
    assertFalse(api.contains("pbkdf2") || api.contains(ha1.getString("MD5")), api);
  }

  @Test
  void unknownApiPathIsJson404() {
    assertError(client().get("/api/nothing-here").send().await(), 404, null);
  }
}
