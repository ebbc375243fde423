package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClientSession;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An administrator adds users and a desk phone; the phone fetches its files from the provisioning
 * port, as a Yealink does at boot, and finds its account, the IM server and its buddies' BLF keys.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class ProvisioningTest {

  private Switchboard switchboard;
  private int sipPort;

  @AfterEach
  void stop() {
    if (switchboard != null) {
      switchboard.stop().await();
    }
  }

  private WebClientSession start(Vertx vertx, Path dir, Map<String, String> more) throws Exception {
    Map<String, String> settings = new HashMap<>(more);
    settings.put("admin.password", "admin-password");
    settings.put("provisioning.asterisk-sip-host", "pbx.test");
    sipPort = FreePorts.udpAndTcp();
    switchboard = new Switchboard(vertx, TestConfigs.loopback(dir, sipPort, 0, settings), s -> { });
    switchboard.start().await();
    WebClientSession admin = Api.login(vertx, switchboard, "admin", "admin-password");
    for (String[] u : new String[][] {{"alice", "1001", "Alice"}, {"bob", "1002", "Bob Builder"}, {"carol", "1003", "Carol"}}) {
      HttpResponse<Buffer> r = admin.post("/api/users").sendJsonObject(new JsonObject().put("username", u[0])
          .put("displayName", u[2]).put("extension", u[1]).put("password", u[0] + "-web-pw")
          .put("sipPassword", u[0] + "-sip-pw")).await();
      assertEquals(201, r.statusCode(), r.bodyAsString());
    }
    WebClientSession alice = Api.login(vertx, switchboard, "alice", "alice-web-pw");
    for (String buddy : new String[] {"bob", "carol"}) {
      assertEquals(201, alice.post("/api/buddies").sendJsonObject(new JsonObject().put("username", buddy)).await().statusCode());
    }
    return admin;
  }

  static JsonObject addDevice(WebClientSession admin, String user, JsonObject device) {
    HttpResponse<Buffer> r = admin.post("/api/users/" + user + "/devices").sendJsonObject(device).await();
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  /** The key = value file a Yealink {@code phone} (as the devices API answered it) fetches from {@code switchboard}. */
  static Map<String, String> yealinkFile(Vertx vertx, Switchboard switchboard, JsonObject phone) {
    String url = "http://127.0.0.1:" + switchboard.provisioning().port()
        + URI.create(phone.getString("provisioningUrl")).getRawPath() + phone.getString("mac") + ".cfg";
    HttpResponse<Buffer> r = Api.once(vertx, c -> c.getAbs(url).send());
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return PhoneFileParsers.keyValues(r.bodyAsString());
  }

  private HttpResponse<Buffer> fetch(Vertx vertx, String url) {
    return Api.once(vertx, c -> c.getAbs(url).putHeader("User-Agent", "Yealink SIP-T46U 108.86.0.20 00:15:65:aa:bb:cc")
        .send());
  }

  /** The provisioning URL as the test reaches it: the port actually bound, on loopback. */
  private String local(String provisioningUrl) {
    URI u = URI.create(provisioningUrl);
    return "http://127.0.0.1:" + switchboard.provisioning().port() + u.getRawPath();
  }

  @Test
  void aYealinkFetchesItsAccountServersAndBlfKeys(Vertx vertx, @TempDir Path dir) throws Exception {
    WebClientSession admin = start(vertx, dir, Map.of());
    JsonObject phone = addDevice(admin, "alice", new JsonObject().put("kind", "desk-phone").put("vendor", "yealink")
        .put("model", "T46U").put("mac", "00:15:65:AA:BB:CC"));
    assertEquals("001565aabbcc", phone.getString("mac"), "normalised");
    assertEquals("1001", phone.getString("endpoint"), "the first phone gets the extension");
    assertNull(phone.getString("sipSecret"));
    assertNull(phone.getString("token"));
    String url = phone.getString("provisioningUrl");
    assertNotNull(url, phone.encode());
    assertTrue(url.contains("/provision/") && url.endsWith("/"), url);

    HttpResponse<Buffer> common = fetch(vertx, local(url) + "y000000000000.cfg");
    assertEquals(200, common.statusCode());
    assertEquals("1", PhoneFileParsers.keyValues(common.bodyAsString()).get("features.text_message.enable"));

    HttpResponse<Buffer> own = fetch(vertx, local(url) + "001565aabbcc.cfg");
    assertEquals(200, own.statusCode(), own.bodyAsString());
    Map<String, String> cfg = PhoneFileParsers.keyValues(own.bodyAsString());
    assertEquals("1001", cfg.get("account.1.user_name"));
    assertEquals("1001", cfg.get("account.1.auth_name"));
    assertEquals("Alice", cfg.get("account.1.display_name"));
    assertEquals("pbx.test", cfg.get("account.1.sip_server.1.address"));
    assertEquals("5060", cfg.get("account.1.sip_server.1.port"));
    assertTrue(cfg.get("account.1.password").length() >= 20, "a generated SIP secret");
    assertEquals("*97", cfg.get("voice_mail.number.1"));
    assertEquals("1", cfg.get("account.1.subscribe_mwi"));
    assertEquals("alice", cfg.get("account.2.user_name"));
    assertEquals("1001", cfg.get("account.2.auth_name"), "the device's credentials at Switchboard");
    assertEquals(cfg.get("account.1.password"), cfg.get("account.2.password"));
    assertEquals("127.0.0.1", cfg.get("account.2.sip_server.1.address"), "the IM and presence server");
    assertEquals(String.valueOf(sipPort), cfg.get("account.2.sip_server.1.port"));
    assertEquals("1", cfg.get("features.text_message.enable"));
    assertEquals("16", cfg.get("linekey.1.type"));
    assertEquals("1002", cfg.get("linekey.1.value"));
    assertEquals("Bob Builder", cfg.get("linekey.1.label"));
    assertEquals("16", cfg.get("linekey.2.type"));
    assertEquals("1003", cfg.get("linekey.2.value"));
    assertNull(cfg.get("linekey.3.type"));

    // The device resource never shows its secrets; a GET shows the same URL.
    JsonObject got = admin.get("/api/devices/" + phone.getString("id")).send().await().bodyAsJsonObject();
    assertEquals(url, got.getString("provisioningUrl"));
    assertFalse(got.encode().contains(cfg.get("account.1.password")));
  }

  @Test
  void unknownMacIs404AndNoCredentials401(Vertx vertx, @TempDir Path dir) throws Exception {
    WebClientSession admin = start(vertx, dir, Map.of());
    JsonObject phone = addDevice(admin, "alice", new JsonObject().put("kind", "desk-phone").put("vendor", "yealink")
        .put("mac", "001565aabbcc"));
    String base = "http://127.0.0.1:" + switchboard.provisioning().port() + "/provision/";
    assertEquals(404, fetch(vertx, base + "001565000001.cfg").statusCode(), "a MAC nobody has");
    assertEquals(401, fetch(vertx, base + "001565aabbcc.cfg").statusCode(), "a known MAC without credentials");
    assertEquals(401, fetch(vertx, base + "not-the-token/001565aabbcc.cfg").statusCode(), "a wrong token");
    assertEquals(404, fetch(vertx, local(phone.getString("provisioningUrl")) + "001565000001.cfg").statusCode(),
        "another phone's file with this phone's token");
  }

  @Test
  void clientsProbingManyMacsAreSlowedDown(Vertx vertx, @TempDir Path dir) throws Exception {
    WebClientSession admin = start(vertx, dir, Map.of("provisioning.probe.max-failures", "3"));
    JsonObject phone = addDevice(admin, "alice", new JsonObject().put("kind", "desk-phone").put("vendor", "yealink")
        .put("mac", "001565aabbcc"));
    String base = "http://127.0.0.1:" + switchboard.provisioning().port() + "/provision/";
    for (int i = 1; i <= 3; i++) {
      assertEquals(404, fetch(vertx, base + "00156500000" + i + ".cfg").statusCode());
    }
    HttpResponse<Buffer> refused = fetch(vertx, local(phone.getString("provisioningUrl")) + "001565aabbcc.cfg");
    assertEquals(429, refused.statusCode(), "even a right request, until the window passes");
    assertTrue(Integer.parseInt(refused.getHeader("Retry-After")) > 0);
  }

  @Test
  void devicesAreValidatedAsUsersAre(Vertx vertx, @TempDir Path dir) throws Exception {
    WebClientSession admin = start(vertx, dir, Map.of());
    Api.assertError(admin.post("/api/users/alice/devices").sendJsonObject(new JsonObject().put("kind", "toaster")).await(), 400, "kind");
    Api.assertError(admin.post("/api/users/alice/devices").sendJsonObject(new JsonObject().put("kind", "desk-phone")
        .put("vendor", "yealink").put("mac", "00:15:65")).await(), 400, "mac");
    Api.assertError(admin.post("/api/users/alice/devices").sendJsonObject(new JsonObject().put("kind", "desk-phone")
        .put("vendor", "acme").put("mac", "001565aabbcc")).await(), 400, "vendor");
    Api.assertError(admin.post("/api/users/alice/devices").sendJsonObject(new JsonObject().put("kind", "mobile")
        .put("colour", "red")).await(), 400, "colour");
    Api.assertError(admin.post("/api/users/nobody/devices").sendJsonObject(new JsonObject().put("kind", "mobile")).await(), 404, "username");
    addDevice(admin, "alice", new JsonObject().put("kind", "desk-phone").put("vendor", "snom").put("model", "D785")
        .put("mac", "00-04-13-aa-bb-cc"));
    Api.assertError(admin.post("/api/users/bob/devices").sendJsonObject(new JsonObject().put("kind", "desk-phone")
        .put("vendor", "yealink").put("mac", "000413AABBCC")).await(), 409, "mac");
    JsonObject soft = addDevice(admin, "alice", new JsonObject().put("kind", "softphone").put("vendor", "baresip"));
    assertEquals("1001-2", soft.getString("endpoint"), "further devices get <ext>-<n>");
    JsonObject web = addDevice(admin, "alice", new JsonObject().put("kind", "web"));
    assertNull(web.getString("endpoint"));
    assertEquals(3, admin.get("/api/users/alice/devices").send().await().bodyAsJsonObject().getJsonArray("devices").size());

    HttpResponse<Buffer> patched = admin.patch("/api/devices/" + soft.getString("id"))
        .sendJsonObject(new JsonObject().put("profile", new JsonObject().put("accept", new io.vertx.core.json.JsonArray().add("text/plain")))).await();
    assertEquals(200, patched.statusCode(), patched.bodyAsString());
    assertEquals(1, patched.bodyAsJsonObject().getJsonObject("profile").getJsonArray("accept").size());
    Api.assertError(admin.patch("/api/devices/" + soft.getString("id")).sendJsonObject(new JsonObject()
        .put("profile", new JsonObject().put("maxMessageLength", 0))).await(), 400, "profile");

    assertEquals(204, admin.delete("/api/devices/" + web.getString("id")).send().await().statusCode());
    Api.assertError(admin.get("/api/devices/" + web.getString("id")).send().await(), 404, "id");

    // Deleting the user deletes their devices (and says so on the bus).
    io.vertx.core.Promise<Void> gone = io.vertx.core.Promise.promise();
    vertx.eventBus().<JsonObject>consumer(io.switchboard.api.EventAddresses.DEVICE_CHANGED, m -> {
      if (m.body().getString("id").equals(soft.getString("id")) && m.body().getString("change").equals("DELETED")) {
        gone.tryComplete();
      }
    });
    assertEquals(204, admin.delete("/api/users/alice").send().await().statusCode());
    gone.future().await(20, TimeUnit.SECONDS);
    Api.assertError(admin.get("/api/devices/" + soft.getString("id")).send().await(), 404, "id");

    // Each change that succeeded is an ADMIN_CHANGE for admins to see (who, what, from where); refusals are not.
    java.util.List<String> changes = admin.get("/api/security/events").send().await().bodyAsJsonObject()
        .getJsonArray("events").stream().map(JsonObject.class::cast)
        .filter(e -> "ADMIN_CHANGE".equals(e.getString("kind")) && "admin".equals(e.getString("who"))
            && "127.0.0.1".equals(e.getString("source")))
        .map(e -> e.getString("detail")).toList();
    assertTrue(changes.contains("added device " + soft.getString("id") + " for user alice"), changes.toString());
    assertTrue(changes.contains("changed device " + soft.getString("id") + ": profile"), changes.toString());
    assertTrue(changes.contains("deleted device " + web.getString("id")), changes.toString());
    assertTrue(changes.contains("deleted user alice"), changes.toString());
    assertEquals(3, changes.stream().filter(c -> c.startsWith("added device")).count(), changes.toString());
  }
}
