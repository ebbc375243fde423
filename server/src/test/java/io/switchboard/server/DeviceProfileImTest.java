package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A provisioned phone's IM account registers with the credentials of its file (auth name = the
 * device's endpoint, password = its SIP secret); from then on its device profile, not its REGISTER's
 * Accept, decides what it is sent: CPIM while the profile accepts it, text/plain cut to the
 * profile's longest message once an administrator changes the profile.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class DeviceProfileImTest {

  private static final String TEXT = "Lunch at noon in the usual place?";

  private Switchboard switchboard;

  @AfterEach
  void stop() {
    if (switchboard != null) {
      switchboard.stop().await();
    }
  }

  @Test
  void theDeviceProfileDecidesCpimOrPlainText(Vertx vertx, @TempDir Path dir) throws Exception {
    switchboard = new Switchboard(vertx, TestConfigs.loopback(dir, FreePorts.udpAndTcp(), 0,
        Map.of("admin.password", "admin-password")), s -> { });
    switchboard.start().await();
    WebClientSession admin = Api.login(vertx, switchboard, "admin", "admin-password");
    Api.createUsers(admin, new String[] {"alice", "1001"}, new String[] {"bob", "1002"});
    JsonObject phone = ProvisioningTest.addDevice(admin, "alice", new JsonObject().put("kind", "desk-phone")
        .put("vendor", "yealink").put("mac", "001565aabbcc")
        .put("profile", new JsonObject().put("accept", new JsonArray().add("message/cpim").add("text/plain"))));
    Map<String, String> file = ProvisioningTest.yealinkFile(vertx, switchboard, phone);
    int sipPort = switchboard.sip().edge().port();

    // The phone's account 2, as its file sets it up; its REGISTER asks for plain text only.
    int phonePort = FreePorts.udpAndTcp();
    Sipp.Running display = Sipp.device("receive-message.xml", phonePort, 2).start();
    Sipp.Result registered = Sipp.scenario("register-device.xml", sipPort).key("domain", "switchboard.test")
        .key("aor", file.get("account.2.user_name")).key("contact", "alice-desk").key("device", "127.0.0.1:" + phonePort)
        .key("accept", "text/plain").auth(file.get("account.2.auth_name"), file.get("account.2.password")).run();
    assertTrue(registered.passed(), registered::toString);
    assertEquals(phone.getString("id"), switchboard.sip().location().bindings("alice").get(0).device());

    sendCpim(sipPort, TEXT);
    HttpResponse<Buffer> patched = admin.patch("/api/devices/" + phone.getString("id")).sendJsonObject(new JsonObject()
        .put("profile", new JsonObject().put("accept", new JsonArray().add("text/plain")).put("maxMessageLength", 12)))
        .await();
    assertEquals(200, patched.statusCode(), patched.bodyAsString());
    sendCpim(sipPort, TEXT);

    List<SippTrace.Message> received = SippTrace.received(display.await().messages(), "MESSAGE");
    assertEquals(2, received.size());
    SippTrace.Message cpim = received.get(0);
    assertEquals("message/cpim", cpim.header("Content-Type").toLowerCase(), "the profile, not the REGISTER");
    assertTrue(cpim.body().contains("From: <sip:bob@switchboard.test>") && cpim.body().contains(TEXT), cpim.body());
    SippTrace.Message plain = received.get(1);
    assertTrue(plain.header("Content-Type").toLowerCase().startsWith("text/plain"), plain.headers());
    assertEquals("Lunch at no…", plain.body(), "cut to the profile's 12 characters");
  }

  private static void sendCpim(int sipPort, String text) throws Exception {
    Sipp.Result sent = Sipp.scenario("send-cpim.xml", sipPort).key("domain", "switchboard.test").key("from", "bob")
        .key("to", "alice").key("body", text).auth("bob", "bob-sip-pw").run();
    assertEquals(200, SippTrace.lastStatus(sent.messages()), sent::toString);
  }
}
