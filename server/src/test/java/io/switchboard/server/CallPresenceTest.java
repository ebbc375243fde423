package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.EventAddresses;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.Sipp;
import io.switchboard.core.testing.SippTrace;
import io.switchboard.core.testing.TestConfigs;
import io.switchboard.telephony.FakeAsterisk;
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
 * The whole chain: Asterisk (a fake replaying a recorded call) → telephony → presence → a SIP
 * watcher's NOTIFY and a BLF key's dialog state.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class CallPresenceTest {

  private static final String CALL = "02-call-answered.ami";

  private Switchboard switchboard;
  private FakeAsterisk asterisk;

  @AfterEach
  void stop() throws Exception {
    switchboard.stop().await();
    asterisk.close();
  }

  /** Completes when a watcher acknowledged a NOTIFY of {@code pkg} showing {@code state} (for presence). */
  private static Promise<JsonObject> notified(Vertx vertx, String pkg, String state, int nth) {
    Promise<JsonObject> p = Promise.promise();
    int[] seen = {0};
    vertx.eventBus().<JsonObject>consumer(EventAddresses.PRESENCE_NOTIFIED, m -> {
      JsonObject presence = m.body().getJsonObject("presence");
      boolean match = pkg.equals(m.body().getString("package"))
          && (state == null || (presence != null && state.equals(presence.getString("state"))));
      if (match && ++seen[0] == nth) {
        p.tryComplete(m.body());
      }
    });
    return p;
  }

  @Test
  void aBridgedCallShowsOnThePhoneToWatchersAndBlfKeys(Vertx vertx, @TempDir Path dir) throws Exception {
    asterisk = new FakeAsterisk("uc", "ucsecret");
    int sipPort = FreePorts.udpAndTcp();
    switchboard = new Switchboard(vertx, TestConfigs.loopback(dir, sipPort, 0, Map.of("admin.password", "admin-password",
        "presence.default-rule", "allow", "ami.host", "127.0.0.1", "ami.port", String.valueOf(asterisk.port()),
        "ami.username", "uc", "ami.secret", "ucsecret")), s -> { });
    switchboard.start().await();
    JsonObject health = Api.once(vertx, c -> c.get(switchboard.web().actualPort(), "127.0.0.1", "/api/health").send())
        .bodyAsJsonObject();
    assertEquals("up", health.getJsonObject("components").getJsonObject("ami").getString("state"), health.encode());
    WebClientSession admin = Api.login(vertx, switchboard, "admin", "admin-password");
    for (String[] u : new String[][] {{"alice", "1001"}, {"bob", "1002"}, {"carol", "1003"}}) {
      assertEquals(201, admin.post("/api/users").sendJsonObject(new JsonObject().put("username", u[0])
          .put("extension", u[1]).put("password", u[0] + "-web-pw").put("sipPassword", u[0] + "-sip-pw")).await()
          .statusCode());
    }

    Promise<JsonObject> offline = notified(vertx, "presence", "offline", 1);
    Promise<JsonObject> blfIdle = notified(vertx, "dialog", null, 1);
    Sipp.Running carol = Sipp.scenario("watch-4-then-unsubscribe.xml", sipPort).key("domain", "switchboard.test")
        .key("from", "carol").key("to", "bob").key("expires", "600").key("event", "presence")
        .key("accept", "application/pidf+xml").auth("carol", "carol-sip-pw").start();
    Sipp.Running blf = Sipp.scenario("watch-4-then-unsubscribe.xml", sipPort).key("domain", "switchboard.test")
        .key("from", "alice").key("to", "1002").key("expires", "600").key("event", "dialog")
        .key("accept", "application/dialog-info+xml").auth("alice", "alice-sip-pw").start();
    offline.future().await(20, TimeUnit.SECONDS);
    blfIdle.future().await(20, TimeUnit.SECONDS);

    // Each step of the recorded call is awaited at the watchers before the next is played.
    Promise<JsonObject> ringing = notified(vertx, "presence", "ringing", 1);
    int next = asterisk.replayStep(CALL, 0, "Event: DialState", 1);
    ringing.future().await(20, TimeUnit.SECONDS);
    Promise<JsonObject> onThePhone = notified(vertx, "presence", "on-the-phone", 1);
    next = asterisk.replayStep(CALL, next, "Event: BridgeEnter", 2);
    onThePhone.future().await(20, TimeUnit.SECONDS);
    Promise<JsonObject> hungUp = notified(vertx, "presence", "offline", 1);
    asterisk.replayStep(CALL, next, null, 0);
    hungUp.future().await(20, TimeUnit.SECONDS);

    Sipp.Result watched = carol.await();
    assertTrue(watched.passed(), watched::toString);
    List<SippTrace.Message> notifies = SippTrace.received(watched.messages(), "NOTIFY");
    assertTrue(notifies.get(1).body().contains("<rpid:on-the-phone/>") && notifies.get(1).body().contains("Ringing"),
        notifies.get(1).body());
    assertTrue(notifies.get(2).body().contains("<rpid:on-the-phone/>") && notifies.get(2).body().contains("On the phone"),
        notifies.get(2).body());
    assertTrue(notifies.get(3).body().contains("<basic>closed</basic>"), notifies.get(3).body());

    Sipp.Result key = blf.await();
    assertTrue(key.passed(), key::toString);
    List<SippTrace.Message> dialogs = SippTrace.received(key.messages(), "NOTIFY");
    assertTrue(dialogs.get(1).body().contains("<state>early</state>"), dialogs.get(1).body());
    assertTrue(dialogs.get(2).body().contains("<state>confirmed</state>"), dialogs.get(2).body());
    assertTrue(!dialogs.get(3).body().contains("<dialog "), dialogs.get(3).body());
  }
}
