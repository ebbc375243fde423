package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.Sipp;
import io.switchboard.core.testing.SippTrace;
import io.switchboard.core.testing.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClientSession;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Broadcasts through the whole server: the REST API (roles, validation, withdraw, replace), a SIPp phone
 * that gets the MESSAGE from sip:broadcast@domain, and the console's ticker in headless Chromium (live,
 * dismissed for good, the broadcaster's page). Phones offline, expiry and replacement on REGISTER:
 * im's BroadcastTest.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 240, timeUnit = TimeUnit.SECONDS)
class BroadcastsTest {

  private static Switchboard switchboard;
  private static Browser browser;
  private static WebClientSession admin;
  private static Vertx vertx;
  private static int sipPort;

  @BeforeAll
  static void start(Vertx v) throws Exception {
    vertx = v;
    Path dir = Files.createTempDirectory("broadcasts-test");
    sipPort = FreePorts.udpAndTcp();
    switchboard = new Switchboard(vertx, TestConfigs.loopback(dir, sipPort, 0, Map.of("admin.password", "admin-password",
        "im.fork-timeout", "3")), s -> { });
    switchboard.start().await();
    admin = Api.login(vertx, switchboard, "admin", "admin-password");
    Api.createUsers(admin, new String[] {"alice", "1001"}, new String[] {"bob", "1002"}, new String[] {"carol", "1003"});
    HttpResponse<Buffer> brenda = admin.post("/api/users").sendJsonObject(new JsonObject().put("username", "brenda")
        .put("password", "brenda-web-pw").put("role", "broadcaster")).await();
    assertEquals(201, brenda.statusCode(), brenda.bodyAsString());
    assertEquals("broadcaster", brenda.bodyAsJsonObject().getString("role"));
    browser = new Browser(switchboard.web().actualPort());
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.close();
    }
    switchboard.stop().await();
  }

  private static HttpResponse<Buffer> send(WebClientSession as, JsonObject body) {
    return as.post("/api/broadcasts").sendJsonObject(body).await();
  }

  private static String sent(WebClientSession as, JsonObject body) {
    HttpResponse<Buffer> r = send(as, body);
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("id");
  }

  private static List<String> current(WebClientSession as) {
    HttpResponse<Buffer> r = as.get("/api/broadcasts").send().await();
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getJsonArray("broadcasts").stream().map(b -> ((JsonObject) b).getString("text")).toList();
  }

  @Test
  void theApiChecksRolesAndFieldsAndAPhoneGetsItFromTheBroadcastAddress() throws Exception {
    WebClientSession bob = Api.login(vertx, switchboard, "bob", "bob-web-pw");
    WebClientSession brenda = Api.login(vertx, switchboard, "brenda", "brenda-web-pw");
    Api.assertError(send(bob, new JsonObject().put("text", "hi").put("to", "all")), 403, null);
    Api.assertError(send(admin, new JsonObject().put("to", "all")), 400, "text");
    Api.assertError(send(admin, new JsonObject().put("text", "hi").put("to", "some")), 400, "to");
    Api.assertError(send(admin, new JsonObject().put("text", "hi").put("to", new JsonArray())), 400, "to");
    Api.assertError(send(admin, new JsonObject().put("text", "hi").put("to", new JsonArray().add("nobody"))), 400, "to");
    Api.assertError(send(admin, new JsonObject().put("text", "hi").put("to", new JsonObject().put("group", "none"))), 400,
        "to");
    Api.assertError(send(admin, new JsonObject().put("text", "hi").put("to", "all").put("expiresAt", "tomorrow")), 400,
        "expiresAt");
    Api.assertError(send(admin, new JsonObject().put("text", "hi").put("to", "all")
        .put("expiresAt", Instant.now().minusSeconds(60).toString())), 400, "expiresAt");
    Api.assertError(send(admin, new JsonObject().put("text", "hi").put("to", "all").put("replaces", "nope")), 404,
        "replaces");
    Api.assertError(send(admin, new JsonObject().put("text", "hi").put("to", "all").put("colour", "red")), 400, "colour");

    int port = FreePorts.udpAndTcp();
    Sipp.Running phone = Sipp.device("receive-message.xml", port, 1).start();
    Sipp.Result reg = Sipp.scenario("register-device.xml", sipPort).key("domain", "switchboard.test").key("aor", "carol")
        .key("contact", "carol-desk").key("device", "127.0.0.1:" + port).key("accept", "text/plain")
        .auth("carol", "carol-sip-pw").run();
    assertTrue(reg.passed(), reg::toString);
    String lift = sent(brenda, new JsonObject().put("text", "Lift out of order").put("to", new JsonArray().add("carol"))
        .put("expiresAt", Instant.now().plusSeconds(3600).toString()));
    Sipp.Result got = phone.await();
    assertTrue(got.passed(), got::toString);
    SippTrace.Message m = SippTrace.received(got.messages(), "MESSAGE").get(0);
    assertEquals("Lift out of order", m.body().strip());
    assertTrue(m.header("From").contains("\"Announcement\"") && m.header("From").contains("<sip:broadcast@switchboard.test>"),
        m.header("From"));

    WebClientSession carol = Api.login(vertx, switchboard, "carol", "carol-web-pw");
    assertEquals(List.of("Lift out of order"), current(carol));
    assertEquals(List.of(), current(bob), "not for bob");
    assertTrue(current(admin).contains("Lift out of order"), "admins see every current one");
    Api.assertError(bob.delete("/api/broadcasts/" + lift).send().await(), 403, null);

    String fixed = sent(admin, new JsonObject().put("text", "Lift fixed").put("to", new JsonArray().add("1003"))
        .put("replaces", lift));
    assertEquals(List.of("Lift fixed"), current(carol), "the replaced one is gone");
    assertEquals(204, admin.delete("/api/broadcasts/" + fixed).send().await().statusCode());
    assertEquals(List.of(), current(carol));
    Api.assertError(admin.delete("/api/broadcasts/" + fixed).send().await(), 404, null);
    assertFalse(current(admin).contains("Lift fixed"));
  }

  @Test
  void theTickerShowsANoticeLiveAndADismissedOneStaysHidden() {
    browser.login("alice", "alice-web-pw");
    String first = sent(admin, new JsonObject().put("text", "Fire drill at 15:00").put("to", new JsonArray().add("alice")));
    browser.waitText("ticker-item-" + first, "Fire drill at 15:00");
    browser.click("ticker-dismiss-" + first);
    browser.until(d -> browser.present("ticker-item-" + first) ? null : Boolean.TRUE, "the notice to be hidden");
    String second = sent(admin, new JsonObject().put("text", "Canteen closed today").put("to", "all"));
    browser.waitText("ticker-item-" + second, "Canteen closed today");

    // After a reload the ticker is read from the server: the second is there, the dismissed one is not.
    browser.load("#/buddies");
    browser.waitText("ticker-item-" + second, "Canteen closed today");
    assertFalse(browser.present("ticker-item-" + first), "dismissed for good");
    assertEquals(204, admin.delete("/api/broadcasts/" + second).send().await().statusCode());
    browser.until(d -> browser.present("ticker-item-" + second) ? null : Boolean.TRUE, "the withdrawn notice to go");
  }

  @Test
  void aBroadcasterWritesAndWithdrawsOnTheirPage() {
    browser.login("brenda", "brenda-web-pw");
    browser.click("nav-broadcasts");
    browser.type("broadcast-text", "Parking closed on Friday");
    browser.click("broadcast-send");
    String text = browser.waitText("broadcast-list", "Parking closed on Friday");
    assertTrue(text.contains("to everyone"), text);
    browser.waitText("ticker", "Parking closed on Friday");
    String id = admin.get("/api/broadcasts").send().await().bodyAsJsonObject()
        .getJsonArray("broadcasts").stream().map(b -> (JsonObject) b)
        .filter(b -> b.getString("text").equals("Parking closed on Friday")).findFirst().orElseThrow().getString("id");
    browser.click("broadcast-withdraw-" + id);
    browser.until(d -> browser.present("ticker-item-" + id) ? null : Boolean.TRUE, "the withdrawn notice to leave the ticker");
    assertFalse(current(admin).contains("Parking closed on Friday"));
  }
}
