package io.switchboard.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.account.PasswordLinks;
import io.switchboard.core.account.UserAccounts;
import io.switchboard.core.account.UserRequests;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.exec.TaskPools;
import io.switchboard.core.health.Health;
import io.switchboard.core.model.Role;
import io.switchboard.core.store.MongoPasswordLinkStore;
import io.switchboard.core.store.MongoStore;
import io.switchboard.core.store.MongoUserStore;
import io.switchboard.core.testing.SettableClock;
import io.switchboard.core.testing.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.WebClientSession;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Set-password links over real HTTP against the embedded store: admins only issue them, a user
 * without a web password cannot log in until the link sets one, a link works once and not after it
 * expires, a bad password is a 400 naming the field, and guessing links is throttled.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class PasswordLinksApiTest {

  private static final String ADMIN_PASSWORD = "admin-password-1";
  private static final int MAX_FAILURES = 5;


  private Vertx vertx;
  private MongoStore store;
  private TaskPools pools;
  private WebConsole web;
  private final SettableClock clock = new SettableClock();

  private void start(Vertx vertx, Path dir) throws Exception {
    this.vertx = vertx;
    SwitchboardConfig config = TestConfigs.loopback(dir, 0, 0, Map.of("web.login.max-failures", String.valueOf(MAX_FAILURES)));
    pools = TaskPools.withDefaults(vertx);
    store = vertx.executeBlocking(() -> MongoStore.open(config.store(), pools.store())).await();
    MongoUserStore users = new MongoUserStore(vertx, store);
    vertx.executeBlocking(() -> {
      users.createIndexes();
      return null;
    }).await();
    UserAccounts accounts = new UserAccounts(vertx, users, config.sip().domain(), pools.hashing());
    accounts.ensureAdmin(Optional.of(ADMIN_PASSWORD)).await();
    // As the CSV import makes them: hal has no web password, ida has one.
    accounts.insertAll(accounts.prepareAll(List.of(
        new UserRequests.Create("hal", "Hal", "2001", null, null, Role.USER, true),
        new UserRequests.Create("ida", "Ida", "2002", "ida-web-pw", null, Role.USER, true))).await()).await();
    Health health = new Health();
    health.report("store", Health.State.UP);
    web = new WebConsole(config.web(), health, accounts,
        new PasswordLinks(accounts, new MongoPasswordLinkStore(vertx, store), clock), clock);
    vertx.deployVerticle(web).await();
  }

  @AfterEach
  void stop() {
    vertx.executeBlocking(() -> {
      store.close();
      return null;
    }).await();
    pools.close().await();
  }

  private WebClientSession session() {
    return WebClientSession.create(WebClient.create(vertx,
        new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(web.actualPort())));
  }

  private HttpResponse<Buffer> login(WebClientSession c, String username, String password) {
    return c.post("/api/login").sendJsonObject(new JsonObject().put("username", username).put("password", password))
        .await();
  }

  /** A new link for {@code username}: its token, from the URL the admin is given. */
  private String issue(WebClientSession admin, String username) {
    HttpResponse<Buffer> r = admin.post("/api/users/" + username + "/password-link").sendJsonObject(new JsonObject()).await();
    assertEquals(201, r.statusCode(), r.bodyAsString());
    String url = r.bodyAsJsonObject().getString("url");
    assertTrue(url.startsWith("http://127.0.0.1:" + web.actualPort() + "/#/password/"), url);
    assertNotNull(Instant.parse(r.bodyAsJsonObject().getString("expiresAt")));
    return url.substring(url.lastIndexOf('/') + 1);
  }

  private HttpResponse<Buffer> redeem(WebClientSession c, String token, String password) {
    return c.post("/api/password-reset/" + token).sendJsonObject(new JsonObject().put("password", password)).await();
  }

  @Test
  void aLinkSetsThePasswordOnceAndAdminsAloneIssueThem(Vertx vertx, @TempDir Path dir) throws Exception {
    start(vertx, dir);
    WebClientSession anyone = session();
    assertEquals(401, login(anyone, "hal", "dummy-password-for-timing").statusCode(), "no web password: nothing logs in");
    WebClientSession admin = session();
    assertEquals(200, login(admin, "admin", ADMIN_PASSWORD).statusCode());

    WebClientSession ida = session();
    assertEquals(200, login(ida, "ida", "ida-web-pw").statusCode());
    assertEquals(403, ida.post("/api/users/hal/password-link").sendJsonObject(new JsonObject()).await().statusCode());
    assertEquals(404, admin.post("/api/users/nobody/password-link").sendJsonObject(new JsonObject()).await().statusCode());

    String token = issue(admin, "hal");
    HttpResponse<Buffer> seen = anyone.get("/api/password-reset/" + token).send().await();
    assertEquals(200, seen.statusCode(), seen.bodyAsString());
    assertEquals("hal", seen.bodyAsJsonObject().getString("username"));

    HttpResponse<Buffer> tooShort = redeem(anyone, token, "short");
    assertEquals(400, tooShort.statusCode(), tooShort.bodyAsString());
    assertEquals("password", tooShort.bodyAsJsonObject().getString("field"));

    assertEquals(204, redeem(anyone, token, "hal-chosen-pw").statusCode());
    assertEquals(200, login(session(), "hal", "hal-chosen-pw").statusCode());
    HttpResponse<Buffer> again = redeem(anyone, token, "hal-other-pw");
    assertEquals(410, again.statusCode(), again.bodyAsString());
    assertEquals(401, login(session(), "hal", "hal-other-pw").statusCode());

    JsonArray events = admin.get("/api/security/events").send().await().bodyAsJsonObject().getJsonArray("events");
    assertTrue(events.stream().map(JsonObject.class::cast).anyMatch(e -> "ADMIN_CHANGE".equals(e.getString("kind"))
        && e.getString("detail").contains("set-password link for user hal")), events.encodePrettily());
    assertFalse(events.encode().contains(token), "the token is in no event");
  }

  @Test
  void anExpiredLinkIsGoneAndGuessingIsThrottled(Vertx vertx, @TempDir Path dir) throws Exception {
    start(vertx, dir);
    WebClientSession admin = session();
    assertEquals(200, login(admin, "admin", ADMIN_PASSWORD).statusCode());
    String token = issue(admin, "hal");
    clock.advance(PasswordLinks.VALID_FOR.plusSeconds(1));
    WebClientSession anyone = session();
    assertEquals(410, anyone.get("/api/password-reset/" + token).send().await().statusCode());
    assertEquals(410, redeem(anyone, token, "hal-chosen-pw").statusCode());
    assertEquals(401, login(session(), "hal", "hal-chosen-pw").statusCode());

    // Two failures so far from this address; guesses after the budget are refused before the store is asked.
    int notFound = 0;
    HttpResponse<Buffer> last = null;
    for (int i = 0; i < MAX_FAILURES; i++) {
      last = redeem(anyone, "guess-" + i, "hal-chosen-pw");
      if (last.statusCode() == 404) {
        notFound++;
      }
    }
    assertEquals(MAX_FAILURES - 2, notFound);
    assertEquals(429, last.statusCode(), last.bodyAsString());
    assertNotNull(last.getHeader("Retry-After"));
    String fresh = issue(admin, "hal");
    assertEquals(429, redeem(anyone, fresh, "hal-chosen-pw").statusCode(), "even a good link, from a throttled address");
  }
}
