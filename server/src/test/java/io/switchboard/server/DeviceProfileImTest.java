package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.EventAddresses;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.Sipp;
import io.switchboard.core.testing.SippTrace;
import io.switchboard.core.testing.TestConfigs;
import io.vertx.core.Promise;
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
    // Each change tells alice's phones to fetch their files again (check-sync, 2 s later): await the run
    // that covers the new device before the phone registers (so it is not told), then the profile
    // change's run, so that the phone knows how many requests it gets in all.
    java.util.concurrent.atomic.AtomicBoolean added = new java.util.concurrent.atomic.AtomicBoolean();
    Promise<Void> created = Promise.promise();
    Promise<Void> patchNotified = Promise.promise();
    vertx.eventBus().<JsonObject>consumer(EventAddresses.CHECK_SYNC, m -> {
      if (!m.body().getString("user").equals("alice") || !added.get()) {
        return;
      }
      if (m.body().getInteger("notified") > 0) {
        patchNotified.tryComplete();
      } else {
        created.tryComplete();
      }
    });
    JsonObject phone = ProvisioningTest.addDevice(admin, "alice", new JsonObject().put("kind", "desk-phone")
        .put("vendor", "yealink").put("mac", "001565aabbcc")
        .put("profile", new JsonObject().put("accept", new JsonArray().add("message/cpim").add("text/plain"))));
    added.set(true);
    Map<String, String> file = ProvisioningTest.yealinkFile(vertx, switchboard, phone);
    created.future().await(20, TimeUnit.SECONDS); // before the phone registers: it is not told
    int sipPort = switchboard.sip().edge().port();

    // The phone's account 2, as its file sets it up; its REGISTER asks for plain text only.
    int phonePort = FreePorts.udpAndTcp();
    // Two messages and the check-sync NOTIFY that the profile change below sends it.
    Sipp.Running display = Sipp.device("receive-message-or-notify.xml", phonePort, 3).start();
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
    patchNotified.future().await(20, TimeUnit.SECONDS);
    sendCpim(sipPort, TEXT);

    String trace = display.await().messages();
    assertEquals(1, SippTrace.received(trace, "NOTIFY").size(), "the profile change's check-sync");
    List<SippTrace.Message> received = SippTrace.received(trace, "MESSAGE");
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
