package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
 * A typed bus failure (code, field, message) raised by the module that answers, in IM, presence,
 * provisioning and telephony, reaches the REST client as a 4xx JSON body naming the field: each
 * message below is one only that module writes, so the web console did not refuse it itself.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class BusFailureRestTest {

  private Switchboard switchboard;
  private Vertx vertx;

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) throws Exception {
    this.vertx = vertx;
    switchboard = new Switchboard(vertx, TestConfigs.loopback(dir, FreePorts.udpAndTcp(), 0,
        Map.of("admin.password", "admin-password")), s -> { });
    switchboard.start().await();
    WebClientSession admin = Api.login(vertx, switchboard, "admin", "admin-password");
    for (String[] u : new String[][] {{"alice", "1001"}, {"bob", "1002"}}) {
      assertEquals(201, admin.post("/api/users").sendJsonObject(new JsonObject().put("username", u[0])
          .put("displayName", u[0]).put("extension", u[1]).put("password", u[0] + "-web-pw")
          .put("sipPassword", u[0] + "-sip-pw")).await().statusCode());
    }
  }

  @AfterEach
  void stop() {
    switchboard.stop().await();
  }

  private static void assertFailure(HttpResponse<Buffer> r, int status, String error, String field, String message) {
    Api.assertError(r, status, field);
    JsonObject body = r.bodyAsJsonObject();
    assertEquals(error, body.getString("error"), body.encode());
    assertEquals(message, body.getString("message"), body.encode());
    assertEquals("application/json", r.getHeader("Content-Type"));
  }

  @Test
  void eachModulesFailureNamesTheFieldInTheJsonBody() {
    WebClientSession alice = Api.login(vertx, switchboard, "alice", "alice-web-pw");
    WebClientSession admin = Api.login(vertx, switchboard, "admin", "admin-password");

    // im
    assertFailure(alice.post("/api/rooms").sendJsonObject(new JsonObject().put("name", "Not A Name")).await(),
        400, "invalid", "name", "name: 2 to 32 characters, lower-case letters, digits and '-'");
    assertFailure(alice.post("/api/rooms").sendJsonObject(new JsonObject().put("name", "team")
        .put("members", new JsonArray().add("nobody"))).await(), 404, "not-found", "members", "members: no user nobody");
    assertFailure(alice.post("/api/messages").sendJsonObject(new JsonObject().put("to", "nobody").put("body", "hi"))
        .await(), 404, "not-found", "to", "to: no user nobody");
    assertFailure(alice.get("/api/messages?with=alice&before=yesterday").send().await(), 400, "invalid", "before",
        "before: an ISO-8601 instant such as 2026-01-31T12:00:00Z");

    // presence
    assertFailure(alice.put("/api/presence/me").sendJsonObject(new JsonObject().put("state", "asleep")).await(),
        400, "invalid", "state", "state: one of available, away, busy, dnd");
    assertFailure(alice.put("/api/presence/rules").sendJsonObject(new JsonObject().put("rules", new JsonArray()
        .add(new JsonObject().put("watcher", "bob").put("action", "ignore")))).await(), 400, "invalid", "rules",
        "rules: action of bob must be allow, block, polite-block or confirm");
    assertFailure(alice.delete("/api/buddies/bob").send().await(), 404, "not-found", "username",
        "username: bob is not on your buddy list");

    // provisioning
    assertFailure(admin.get("/api/devices/no-such-device").send().await(), 404, "not-found", "id",
        "id: no device no-such-device");
    assertFailure(admin.post("/api/users/alice/devices").sendJsonObject(new JsonObject().put("kind", "fax")).await(),
        400, "invalid", "kind", "kind: one of desk-phone, mobile, softphone, web");

    // telephony: no Asterisk is configured, a 503 without a field
    HttpResponse<Buffer> call = alice.post("/api/calls").sendJsonObject(new JsonObject().put("to", "bob")).await();
    assertFailure(call, 503, "unavailable", null, "no Asterisk is configured (ami.host)");
  }
}
