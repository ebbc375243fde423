package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.EventAddresses;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.Sipp;
import io.switchboard.core.testing.TestConfigs;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.WebClientSession;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole assembly: an administrator provisions a user over HTTP, a real SIP user agent (SIPp)
 * registers with the credentials, disabling the user revokes the binding, and a restart keeps it all.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class SwitchboardTest {

  private Switchboard switchboard;
  private final List<String> announced = new ArrayList<>();

  @AfterEach
  void stop() {
    if (switchboard != null) {
      switchboard.stop().await();
    }
  }

  private SwitchboardConfig config(Path dir, int sipPort, Map<String, String> more) {
    return TestConfigs.loopback(dir, sipPort, 0, more);
  }

  private WebClientSession admin(Vertx vertx, String password) {
    return Api.login(vertx, switchboard, "admin", password);
  }

  @Test
  void provisionRegisterDisableRestart(Vertx vertx, @TempDir Path dir) throws Exception {
    int sipPort = FreePorts.udpAndTcp();
    SwitchboardConfig config = config(dir, sipPort, Map.of("admin.password", "first-admin-pw"));
    switchboard = new Switchboard(vertx, config, announced::add);
    switchboard.start().await();
    assertTrue(announced.isEmpty(), "a configured admin password is never printed");

    JsonObject health = Api.once(vertx, c -> c.get(switchboard.web().actualPort(), "127.0.0.1", "/api/health")
        .send()).bodyAsJsonObject();
    assertEquals("up", health.getString("status"), health.encode());
    for (String component : List.of("store", "sip", "ami", "web")) {
      assertTrue(health.getJsonObject("components").containsKey(component), component + " in " + health.encode());
    }
    assertEquals("not-configured", health.getJsonObject("components").getJsonObject("ami").getString("state"));

    WebClientSession admin = admin(vertx, "first-admin-pw");
    HttpResponse<Buffer> created = admin.post("/api/users").sendJsonObject(new JsonObject().put("username", "carol")
        .put("displayName", "Carol").put("extension", "1003").put("password", "carol-web-pw")
        .put("sipPassword", "carol-sip-pw")).await();
    assertEquals(201, created.statusCode(), created.bodyAsString());

    Sipp.Result registered = Sipp.scenario("register.xml", sipPort).key("domain", config.sip().domain())
        .key("aor", "1003").key("contact", "carol-desk").key("expires", "300").auth("carol", "carol-sip-pw").run();
    assertTrue(registered.passed(), registered::toString);
    assertEquals(1, switchboard.sip().location().bindings("carol").size());

    Promise<JsonObject> revoked = Promise.promise();
    vertx.eventBus().<JsonObject>consumer(EventAddresses.REGISTRATION, m -> {
      if ("REVOKED".equals(m.body().getString("change"))) {
        revoked.tryComplete(m.body());
      }
    });
    assertEquals(200, admin.patch("/api/users/carol").sendJsonObject(new JsonObject().put("enabled", false))
        .await().statusCode());
    assertEquals("carol", revoked.future().await(10, TimeUnit.SECONDS).getString("username"));
    Sipp.Result refused = Sipp.scenario("register-forbidden.xml", sipPort).key("domain", config.sip().domain())
        .key("aor", "carol").key("contact", "carol-desk").key("expires", "300").auth("carol", "carol-sip-pw").run();
    assertTrue(refused.passed(), refused::toString);

    // Restart on the same data directory: accounts survive, the admin password is not reset.
    switchboard.stop().await();
    switchboard = new Switchboard(vertx, config(dir, sipPort, Map.of("admin.password", "another-admin-pw")),
        announced::add);
    switchboard.start().await();
    WebClientSession again = admin(vertx, "first-admin-pw");
    JsonObject carol = again.get("/api/users/carol").send().await().bodyAsJsonObject();
    assertEquals(false, carol.getBoolean("enabled"));
    assertEquals("1003", carol.getString("extension"));
  }

  @Test
  void generatedAdminPasswordIsAnnouncedOnceAndWorks(Vertx vertx, @TempDir Path dir) throws Exception {
    SwitchboardConfig config = config(dir, FreePorts.udpAndTcp(), Map.of());
    switchboard = new Switchboard(vertx, config, announced::add);
    switchboard.start().await();
    assertEquals(1, announced.size());
    String password = announced.get(0).lines().filter(l -> l.contains("Password:")).findFirst().orElseThrow()
        .replace("Password:", "").trim();
    admin(vertx, password);
    switchboard.stop().await();
    switchboard = new Switchboard(vertx, config, announced::add);
    switchboard.start().await();
    assertEquals(1, announced.size(), "printed only on the first start");
  }
}
