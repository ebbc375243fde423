package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClientSession;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The users API's {@code email} and {@code notifyMissed}, and a user's own through {@code PATCH /api/me}, over
 * real HTTP against the whole server (the settings are kept by the im module, reached over the bus).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class EmailSettingsApiTest {

  private Switchboard switchboard;
  private WebClientSession admin;
  private Vertx vertx;

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) throws Exception {
    this.vertx = vertx;
    switchboard = new Switchboard(vertx, TestConfigs.loopback(dir, FreePorts.udpAndTcp(), 0,
        Map.of("admin.password", "admin-password")), s -> { });
    switchboard.start().await();
    admin = Api.login(vertx, switchboard, "admin", "admin-password");
  }

  @AfterEach
  void stop() {
    switchboard.stop().await();
  }

  private static JsonObject ok(HttpResponse<Buffer> r, int status) {
    assertEquals(status, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  @Test
  void adminsAndUsersSetTheAddressAndTheOptInAndBadOnesAreRefusedNamingTheField() {
    JsonObject created = ok(admin.post("/api/users").sendJsonObject(new JsonObject().put("username", "alice")
        .put("password", "alice-web-pw").put("email", "alice@example.test").put("notifyMissed", true)).await(), 201);
    assertEquals("alice@example.test", created.getString("email"));
    assertTrue(created.getBoolean("notifyMissed"));
    JsonObject read = ok(admin.get("/api/users/alice").send().await(), 200);
    assertEquals("alice@example.test", read.getString("email"));
    JsonArray users = ok(admin.get("/api/users").send().await(), 200).getJsonArray("users");
    JsonObject inList = users.stream().map(JsonObject.class::cast).filter(u -> u.getString("username").equals("alice"))
        .findFirst().orElseThrow();
    assertEquals("alice@example.test", inList.getString("email"));
    assertTrue(inList.getBoolean("notifyMissed"));

    Api.assertError(admin.patch("/api/users/alice").sendJsonObject(new JsonObject().put("email", "not an address")).await(),
        400, "email");
    Api.assertError(admin.post("/api/users").sendJsonObject(new JsonObject().put("username", "bob")
        .put("password", "bob-web-pw-1").put("email", "bob@")).await(), 400, "email");
    assertEquals(404, admin.get("/api/users/bob").send().await().statusCode(), "a refused create creates nothing");
    JsonObject changed = ok(admin.patch("/api/users/alice").sendJsonObject(new JsonObject()
        .put("displayName", "Alice A.").put("email", "a@example.test")).await(), 200);
    assertEquals("Alice A.", changed.getString("displayName"));
    assertEquals("a@example.test", changed.getString("email"));

    // alice herself: reads and changes her own e-mail settings, nothing else.
    WebClientSession alice = Api.login(vertx, switchboard, "alice", "alice-web-pw");
    assertEquals("a@example.test", ok(alice.get("/api/me").send().await(), 200).getString("email"));
    JsonObject mine = ok(alice.patch("/api/me").sendJsonObject(new JsonObject().put("notifyMissed", false)
        .put("mutedRooms", new JsonArray().add("support"))).await(), 200);
    assertFalse(mine.getBoolean("notifyMissed"));
    assertEquals(new JsonArray().add("support"), mine.getJsonArray("mutedRooms"));
    Api.assertError(alice.patch("/api/me").sendJsonObject(new JsonObject().put("email", "alice at example")).await(),
        400, "email");
    Api.assertError(alice.patch("/api/me").sendJsonObject(new JsonObject().put("role", "admin")).await(), 400, "role");
    Api.assertError(alice.patch("/api/me").sendJsonObject(new JsonObject().putNull("email").put("notifyMissed", true))
        .await(), 400, "email");
    JsonObject after = ok(alice.get("/api/me").send().await(), 200);
    assertEquals("a@example.test", after.getString("email"));
    assertFalse(after.getBoolean("notifyMissed"));
    assertEquals("user", after.getString("role"));
    // Only an admin reaches the users API.
    assertEquals(403, alice.patch("/api/users/alice").sendJsonObject(new JsonObject().put("notifyMissed", true))
        .await().statusCode());
  }
}
