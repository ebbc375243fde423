package io.switchboard.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.account.UserAccounts;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.exec.TaskPools;
import io.switchboard.core.health.Health;
import io.switchboard.core.store.MongoStore;
import io.switchboard.core.store.MongoUserStore;
import io.switchboard.core.testing.SettableClock;
import io.switchboard.core.testing.TestConfigs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.WebClientSession;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Login floods over real HTTP against the embedded store, on the named pools the server uses: the
 * throttle refuses before hashing, the password checks that ran are counted, and what admins see.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class LoginThrottleTest {

  private static final String ADMIN_PASSWORD = "admin-password-1";
  private static final int MAX_FAILURES = 5;
  private static final int WINDOW_SECONDS = 300;
  private static final int FLOOD = 100;


  private Vertx vertx;
  private MongoStore store;
  private TaskPools pools;
  private UserAccounts accounts;
  private WebConsole web;
  private final SettableClock clock = new SettableClock();

  private void start(Vertx vertx, Path dir, TaskPools.Sizes sizes) throws Exception {
    this.vertx = vertx;
    SwitchboardConfig config = TestConfigs.loopback(dir, 0, 0, Map.of("web.login.max-failures",
        String.valueOf(MAX_FAILURES), "web.login.window", String.valueOf(WINDOW_SECONDS)));
    pools = new TaskPools(vertx, sizes);
    store = vertx.executeBlocking(() -> MongoStore.open(config.store(), pools.store())).await();
    MongoUserStore users = new MongoUserStore(vertx, store);
    vertx.executeBlocking(() -> {
      users.createIndexes();
      return null;
    }).await();
    accounts = new UserAccounts(vertx, users, config.sip().domain(), pools.hashing());
    accounts.ensureAdmin(java.util.Optional.of(ADMIN_PASSWORD)).await();
    Health health = new Health();
    health.report("store", Health.State.UP);
    web = new WebConsole(config.web(), health, accounts, clock);
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

  private WebClient client() {
    // Room for every request of the flood on its own connection: they really arrive at once.
    return WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(web.actualPort()),
        new PoolOptions().setHttp1MaxSize(FLOOD));
  }

  private HttpResponse<Buffer> login(WebClientSession c, String username, String password) {
    return c.post("/api/login").sendJsonObject(new JsonObject().put("username", username).put("password", password))
        .await();
  }

  /** FLOOD logins sent together; the statuses once all are answered. */
  private List<Integer> flood(java.util.function.IntFunction<String> username, String password) {
    WebClient c = client();
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (int i = 0; i < FLOOD; i++) {
      all.add(c.post("/api/login").sendJsonObject(new JsonObject().put("username", username.apply(i))
          .put("password", password)));
    }
    Future.all(all).await();
    List<Integer> statuses = new ArrayList<>();
    for (Future<HttpResponse<Buffer>> f : all) {
      HttpResponse<Buffer> r = f.result();
      statuses.add(r.statusCode());
      if (r.statusCode() == 429) {
        assertNotNull(r.getHeader("Retry-After"), "429 says when to retry");
        assertEquals("too-many-attempts", r.bodyAsJsonObject().getString("error"), r.bodyAsString());
      }
    }
    return statuses;
  }

  private static long count(List<Integer> statuses, int status) {
    return statuses.stream().filter(s -> s == status).count();
  }

  private JsonArray securityEvents(WebClientSession admin) {
    HttpResponse<Buffer> r = admin.get("/api/security/events").send().await();
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getJsonArray("events");
  }

  private static long events(JsonArray events, String kind, String who) {
    return events.stream().map(JsonObject.class::cast)
        .filter(e -> kind.equals(e.getString("kind")) && who.equals(e.getString("who"))).count();
  }

  @Test
  void aFloodOfWrongLoginsForOneAccountHashesAtMostMaxFailuresTimes(Vertx vertx, @TempDir Path dir) throws Exception {
    start(vertx, dir, TaskPools.Sizes.defaults());
    long checksBefore = accounts.passwordChecks();

    List<Integer> statuses = flood(i -> "admin", "wrong-guess-" + FLOOD);

    long checks = accounts.passwordChecks() - checksBefore;
    assertTrue(checks >= 1 && checks <= MAX_FAILURES, "password checks: " + checks);
    assertEquals(checks, count(statuses, 401), statuses.toString());
    assertEquals(FLOOD - checks, count(statuses, 429), statuses.toString());

    // The right password is refused too, without a check, until the window has passed.
    WebClientSession admin = WebClientSession.create(client());
    HttpResponse<Buffer> refused = login(admin, "admin", ADMIN_PASSWORD);
    assertEquals(429, refused.statusCode(), refused.bodyAsString());
    assertEquals(checks, accounts.passwordChecks() - checksBefore, "no hashing for a throttled login");
    clock.advance(java.time.Duration.ofSeconds(WINDOW_SECONDS - 10));
    assertEquals(429, login(admin, "admin", ADMIN_PASSWORD).statusCode());
    clock.advance(java.time.Duration.ofSeconds(11));
    HttpResponse<Buffer> ok = login(admin, "admin", ADMIN_PASSWORD);
    assertEquals(200, ok.statusCode(), ok.bodyAsString());

    // Admins see the failures and the throttling, never the password; users may not look.
    JsonArray events = securityEvents(admin);
    assertEquals(checks, events(events, "LOGIN_FAILED", "admin"), events.encodePrettily());
    assertTrue(events(events, "SOURCE_THROTTLED", "admin") >= 1, events.encodePrettily());
    assertTrue(events.stream().map(JsonObject.class::cast)
        .filter(e -> "LOGIN_FAILED".equals(e.getString("kind")))
        .allMatch(e -> "127.0.0.1".equals(e.getString("source"))), events.encodePrettily());
    assertFalse(events.encode().contains("wrong-guess"), "no password in the events");

    HttpResponse<Buffer> created = admin.post("/api/users").sendJsonObject(new JsonObject().put("username", "bob")
        .put("displayName", "Bob").put("password", "bob-web-secret")).await();
    assertEquals(201, created.statusCode(), created.bodyAsString());
    JsonArray after = securityEvents(admin);
    JsonObject change = after.getJsonObject(0);
    assertEquals("ADMIN_CHANGE", change.getString("kind"), after.encodePrettily());
    assertEquals("admin", change.getString("who"));
    assertEquals("127.0.0.1", change.getString("source"));
    assertEquals("created user bob", change.getString("detail"));
    assertFalse(after.encode().contains("bob-web-secret"), "no password in the events");

    WebClientSession bob = WebClientSession.create(client());
    assertEquals(200, login(bob, "bob", "bob-web-secret").statusCode());
    HttpResponse<Buffer> forbidden = bob.get("/api/security/events").send().await();
    assertEquals(403, forbidden.statusCode(), forbidden.bodyAsString());
  }

  @Test
  void aFloodOfWrongLoginsFromOneAddressHashesAtMostMaxFailuresTimes(Vertx vertx, @TempDir Path dir)
      throws Exception {
    start(vertx, dir, TaskPools.Sizes.defaults());
    long checksBefore = accounts.passwordChecks();

    List<Integer> statuses = flood(i -> "guess" + i, "wrong-password");

    long checks = accounts.passwordChecks() - checksBefore;
    assertTrue(checks >= 1 && checks <= MAX_FAILURES, "password checks: " + checks);
    assertEquals(checks, count(statuses, 401), statuses.toString());
    assertEquals(FLOOD - checks, count(statuses, 429), statuses.toString());
  }

  @Test
  void aFullHashingQueueAnswers503(Vertx vertx, @TempDir Path dir) throws Exception {
    start(vertx, dir, new TaskPools.Sizes(2, 100, 1, 0, 2, 100));
    CountDownLatch release = new CountDownLatch(1);
    // Occupy the one hashing thread (a worker, not an event loop) until the test lets it go.
    Future<Boolean> busy = pools.hashing().submit(() -> release.await(60, TimeUnit.SECONDS));
    try {
      HttpResponse<Buffer> r = login(WebClientSession.create(client()), "admin", ADMIN_PASSWORD);
      assertEquals(503, r.statusCode(), r.bodyAsString());
      assertEquals("overloaded", r.bodyAsJsonObject().getString("error"), r.bodyAsString());
      assertNotNull(r.getHeader("Retry-After"));
    } finally {
      release.countDown();
    }
    assertTrue(busy.await());
    // Not counted as a failure: the same login goes through once the pool is free.
    assertEquals(200, login(WebClientSession.create(client()), "admin", ADMIN_PASSWORD).statusCode());
  }
}
