package io.switchboard.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.EventAddresses;
import io.switchboard.api.SecurityEvent;
import io.switchboard.core.store.MongoStore;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.WebClientSession;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Personal API tokens over real HTTP against the embedded store: created in a session, used by a
 * client that has no cookie, listed, revoked and refused at once; refused when the account is
 * disabled or was deleted; never stored or listed in clear; failures are security events.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class ApiTokensTest {

  private static final String ADMIN_PASSWORD = "admin-password-1";

  private Vertx vertx;
  private ConsoleOnStore console;
  private MongoStore store;
  private WebConsole web;
  private WebClientOptions options;

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) {
    this.vertx = vertx;
    console = ConsoleOnStore.start(vertx, dir, ADMIN_PASSWORD, p -> new WebConsole(p.config().web(), p.config().tls(), p.health(), p.accounts(), null, p.tokens(),
        Clock.systemUTC()));
    store = console.store;
    web = console.web;
    options = console.options;
  }

  @AfterEach
  void stop() {
    console.close(vertx);
  }


  private WebClientSession login(String username, String password) {
    WebClientSession c = WebClientSession.create(WebClient.create(vertx, options));
    HttpResponse<Buffer> r = c.post("/api/login").sendJsonObject(new JsonObject().put("username", username)
        .put("password", password)).await();
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return c;
  }

  /** A script: no cookie jar, only the header. */
  private HttpRequest<Buffer> script(io.vertx.core.http.HttpMethod method, String path, String secret) {
    return WebClient.create(vertx, options).request(method, path).putHeader("Authorization", "Bearer " + secret);
  }

  private JsonObject create(WebClientSession session, String name) {
    HttpResponse<Buffer> r = session.post("/api/tokens").sendJsonObject(new JsonObject().put("name", name)).await();
    assertEquals(201, r.statusCode(), r.bodyAsString());
    assertEquals("no-store", r.getHeader("Cache-Control"));
    return r.bodyAsJsonObject();
  }

  /** Awaits the next security event on the bus (registered before the request that causes it). */
  private Promise<SecurityEvent> nextSecurityEvent() {
    Promise<SecurityEvent> seen = Promise.promise();
    var consumer = vertx.eventBus().<JsonObject>consumer(EventAddresses.SECURITY_EVENT,
        m -> seen.tryComplete(SecurityEvent.fromJson(m.body())));
    consumer.completion().await();
    seen.future().onComplete(x -> consumer.unregister());
    return seen;
  }

  @Test
  void aTokenIsCreatedUsedListedRevokedAndRefused() {
    WebClientSession bob = login("bob", "bob-web-pw");
    JsonObject made = create(bob, "backup script");
    String secret = made.getString("secret");
    assertTrue(secret.startsWith("sbt_") && secret.length() >= 40, secret);

    // Used without a session: reads, and a request with a body (no cookie, no CSRF token).
    HttpResponse<Buffer> me = script(io.vertx.core.http.HttpMethod.GET, "/api/me", secret).send().await();
    assertEquals(200, me.statusCode(), me.bodyAsString());
    assertEquals("bob", me.bodyAsJsonObject().getString("username"));
    assertNull(me.getHeader("Set-Cookie"), "a bearer request starts no session");
    HttpResponse<Buffer> second = script(io.vertx.core.http.HttpMethod.POST, "/api/tokens", secret)
        .sendJsonObject(new JsonObject().put("name", "made by the script")).await();
    assertEquals(201, second.statusCode(), second.bodyAsString());
    // With bob's rights only: not an administrator.
    HttpResponse<Buffer> users = script(io.vertx.core.http.HttpMethod.GET, "/api/users", secret).send().await();
    assertEquals(403, users.statusCode(), users.bodyAsString());
    // The validator judges bearer requests like any other.
    HttpResponse<Buffer> bad = script(io.vertx.core.http.HttpMethod.POST, "/api/tokens", secret)
        .sendJsonObject(new JsonObject().put("name", 7)).await();
    assertEquals(400, bad.statusCode(), bad.bodyAsString());
    assertEquals("name", bad.bodyAsJsonObject().getString("field"));

    // Listed with name, created and last used; never the secret.
    JsonArray listed = bob.get("/api/tokens").send().await().bodyAsJsonObject().getJsonArray("tokens");
    assertEquals(2, listed.size(), listed.encode());
    JsonObject first = listed.getJsonObject(0);
    assertEquals(made.getString("id"), first.getString("id"));
    assertEquals("backup script", first.getString("name"));
    assertNotNull(first.getString("createdAt"));
    assertNotNull(first.getString("lastUsedAt"), "used just now: " + first.encode());
    assertFalse(listed.encode().contains(secret) || listed.encode().contains("sbt_"), listed.encode());
    // Stored as its SHA-256 only.
    Document stored = vertx.executeBlocking(() -> store.database().getCollection("api_tokens")
        .find(new Document("id", made.getString("id"))).first()).await();
    assertEquals(ApiTokens.hash(secret), stored.getString("_id"));
    assertFalse(stored.toJson().contains(secret), stored.toJson());

    // Another user cannot revoke it; its owner can, and it is refused at once.
    WebClientSession admin = login("admin", ADMIN_PASSWORD);
    assertEquals(404, admin.delete("/api/tokens/" + made.getString("id")).send().await().statusCode());
    assertEquals(204, bob.delete("/api/tokens/" + made.getString("id")).send().await().statusCode());
    Promise<SecurityEvent> event = nextSecurityEvent();
    HttpResponse<Buffer> refused = script(io.vertx.core.http.HttpMethod.GET, "/api/me", secret).send().await();
    assertEquals(401, refused.statusCode(), refused.bodyAsString());
    assertEquals("unauthorized", refused.bodyAsJsonObject().getString("error"));
    SecurityEvent recorded = event.future().await();
    assertEquals(SecurityEvent.Kind.LOGIN_FAILED, recorded.kind());
    assertEquals("127.0.0.1", recorded.source());
    assertFalse(recorded.detail().contains(secret), recorded.detail());
    // Refused before a body is read, too.
    HttpResponse<Buffer> refusedPost = script(io.vertx.core.http.HttpMethod.POST, "/api/tokens", secret)
        .sendJsonObject(new JsonObject().put("name", "x")).await();
    assertEquals(401, refusedPost.statusCode(), refusedPost.bodyAsString());
    assertEquals(1, bob.get("/api/tokens").send().await().bodyAsJsonObject().getJsonArray("tokens").size());
  }

  @Test
  void aDisabledOrDeletedUsersTokensStopWorking() {
    WebClientSession bob = login("bob", "bob-web-pw");
    String secret = create(bob, "cron").getString("secret");
    assertEquals(200, script(io.vertx.core.http.HttpMethod.GET, "/api/me", secret).send().await().statusCode());
    WebClientSession admin = login("admin", ADMIN_PASSWORD);
    assertEquals(200, admin.patch("/api/users/bob").sendJsonObject(new JsonObject().put("enabled", false))
        .await().statusCode());
    assertEquals(401, script(io.vertx.core.http.HttpMethod.GET, "/api/me", secret).send().await().statusCode());
    // Deleted, then a new account of the same name: the old token is not the new person's.
    assertEquals(204, admin.delete("/api/users/bob").send().await().statusCode());
    assertEquals(201, admin.post("/api/users").sendJsonObject(new JsonObject().put("username", "bob")
        .put("password", "new-bob-pw-1")).await().statusCode());
    assertEquals(401, script(io.vertx.core.http.HttpMethod.GET, "/api/me", secret).send().await().statusCode());
  }

  @Test
  void anAdministratorsTokenHasAnAdministratorsRights() {
    WebClientSession admin = login("admin", ADMIN_PASSWORD);
    String secret = create(admin, "provisioning script").getString("secret");
    HttpResponse<Buffer> users = script(io.vertx.core.http.HttpMethod.GET, "/api/users", secret).send().await();
    assertEquals(200, users.statusCode(), users.bodyAsString());
    HttpResponse<Buffer> created = script(io.vertx.core.http.HttpMethod.POST, "/api/users", secret)
        .sendJsonObject(new JsonObject().put("username", "carol").put("password", "carol-web-pw")).await();
    assertEquals(201, created.statusCode(), created.bodyAsString());
    assertEquals(401, script(io.vertx.core.http.HttpMethod.GET, "/api/users", "sbt_not-a-token").send().await()
        .statusCode());
  }
}
