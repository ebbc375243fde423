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
import io.vertx.core.json.JsonObject;
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
 * After a change that alters a phone's file (here: a buddy added, a new BLF key), the phone is told
 * to fetch it again: a SIP NOTIFY {@code Event: check-sync;reboot=false} to the contact its IM account
 * registered with the device's credentials; a burst of changes makes one NOTIFY.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class CheckSyncTest {

  private Switchboard switchboard;

  @AfterEach
  void stop() {
    if (switchboard != null) {
      switchboard.stop().await();
    }
  }

  @Test
  void addingBuddiesSendsTheirPhoneOneCheckSync(Vertx vertx, @TempDir Path dir) throws Exception {
    switchboard = new Switchboard(vertx, TestConfigs.loopback(dir, FreePorts.udpAndTcp(), 0,
        Map.of("admin.password", "admin-password")), s -> { });
    switchboard.start().await();
    WebClientSession admin = Api.login(vertx, switchboard, "admin", "admin-password");
    Api.createUsers(admin, new String[] {"alice", "1001"}, new String[] {"bob", "1002"}, new String[] {"carol", "1003"});
    // Every run of check-sync for alice, in order.
    List<JsonObject> runs = new java.util.concurrent.CopyOnWriteArrayList<>();
    Promise<Void> deviceSeen = Promise.promise();
    Promise<JsonObject> notified = Promise.promise();
    vertx.eventBus().<JsonObject>consumer(EventAddresses.CHECK_SYNC, m -> {
      if (m.body().getString("user").equals("alice")) {
        runs.add(m.body());
        deviceSeen.tryComplete(); // nothing registered yet: a run that lists no device

        if (m.body().getInteger("notified") > 0) {
          notified.tryComplete(m.body());
        }
      }
    });
    JsonObject phone = ProvisioningTest.addDevice(admin, "alice", new JsonObject().put("kind", "desk-phone")
        .put("vendor", "yealink").put("mac", "001565aabbcc"));
    // The run for the new device went out while the phone was not registered yet: nothing to tell.
    deviceSeen.future().await(10, TimeUnit.SECONDS);
    assertEquals(0, runs.get(runs.size() - 1).getInteger("notified"));
    assertEquals(List.of(), runs.get(runs.size() - 1).getJsonArray("devices").getList(), "no phone registered: no look-up");

    Map<String, String> file = ProvisioningTest.yealinkFile(vertx, switchboard, phone);
    int sipPort = switchboard.sip().edge().port();
    int phonePort = FreePorts.udpAndTcp();
    Sipp.Running desk = Sipp.device("receive-check-sync.xml", phonePort, 1).start();
    Sipp.Result registered = Sipp.scenario("register-device.xml", sipPort).key("domain", "switchboard.test")
        .key("aor", "alice").key("contact", "alice-desk").key("device", "127.0.0.1:" + phonePort)
        .key("accept", "text/plain").auth(file.get("account.2.auth_name"), file.get("account.2.password")).run();
    assertTrue(registered.passed(), registered::toString);

    WebClientSession alice = Api.login(vertx, switchboard, "alice", "alice-web-pw");
    for (String buddy : List.of("bob", "carol")) {
      assertEquals(201, alice.post("/api/buddies").sendJsonObject(new JsonObject().put("username", buddy)).await()
          .statusCode());
    }

    Sipp.Result got = desk.await();
    List<SippTrace.Message> notifies = SippTrace.received(got.messages(), "NOTIFY");
    assertEquals(1, notifies.size(), got::toString);
    assertEquals("check-sync;reboot=false", notifies.get(0).header("Event"));
    assertTrue(notifies.get(0).startLine().contains("alice-desk@127.0.0.1:" + phonePort), notifies.get(0).startLine());
    assertEquals(1, notified.future().await(10, TimeUnit.SECONDS).getInteger("notified"));
    assertEquals(1, runs.stream().filter(r -> r.getInteger("notified") > 0).count(),
        "two buddies within the delay: one NOTIFY");
    assertEquals(List.of(phone.getString("id")), runs.get(runs.size() - 1).getJsonArray("devices").getList());
  }
}
