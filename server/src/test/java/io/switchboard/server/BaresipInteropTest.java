package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.EventAddresses;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.TestConfigs;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClientSession;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * baresip (Debian's, libre-based, as many softphones are) registers with Switchboard and watches a
 * buddy's presence: digest, PIDF and the end of the subscription as a real client does them.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class BaresipInteropTest {

  private Switchboard switchboard;
  private Process baresip;

  @AfterEach
  void stop() throws Exception {
    if (baresip != null && baresip.isAlive()) {
      baresip.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    switchboard.stop().await();
  }

  @Test
  void baresipRegistersAndWatchesABuddy(Vertx vertx, @TempDir Path dir) throws Exception {
    int sipPort = FreePorts.udpAndTcp();
    int phonePort = FreePorts.udpAndTcp();
    switchboard = new Switchboard(vertx, TestConfigs.loopback(dir.resolve("data"), sipPort, 0,
        Map.of("admin.password", "admin-password", "presence.default-rule", "allow")), s -> { });
    switchboard.start().await();
    WebClientSession admin = Api.login(vertx, switchboard, "admin", "admin-password");
    for (String[] u : new String[][] {{"alice", "1001"}, {"bob", "1002"}}) {
      assertEquals(201, admin.post("/api/users").sendJsonObject(new JsonObject().put("username", u[0])
          .put("extension", u[1]).put("password", u[0] + "-web-pw").put("sipPassword", u[0] + "-sip-pw")).await()
          .statusCode());
    }
    Promise<JsonObject> registered = Promise.promise();
    Promise<JsonObject> unregistered = Promise.promise();
    vertx.eventBus().<JsonObject>consumer(EventAddresses.REGISTRATION, m -> {
      if ("REGISTERED".equals(m.body().getString("change"))) {
        registered.tryComplete(m.body());
      } else if ("UNREGISTERED".equals(m.body().getString("change"))) {
        unregistered.tryComplete(m.body());
      }
    });
    Promise<JsonObject> notified = Promise.promise();
    vertx.eventBus().<JsonObject>consumer(EventAddresses.PRESENCE_NOTIFIED, m -> notified.tryComplete(m.body()));
    Promise<JsonObject> gone = Promise.promise();
    vertx.eventBus().<JsonObject>consumer(EventAddresses.PRESENCE_WATCHER, m -> {
      if ("terminated".equals(m.body().getString("state"))) {
        gone.tryComplete(m.body());
      }
    });

    Path conf = Files.createDirectories(dir.resolve("baresip"));
    Files.writeString(conf.resolve("config"), String.join("\n",
        "sip_listen 127.0.0.1:" + phonePort,
        "module_path /usr/lib/baresip/modules",
        "module_app account.so",
        "module_app contact.so",
        "module_app menu.so",
        "module_app presence.so",
        "audio_player aufile,/dev/null",
        "audio_source aufile,/dev/null", ""));
    Files.writeString(conf.resolve("accounts"), "<sip:alice@switchboard.test>;auth_pass=alice-sip-pw;"
        + "outbound=\"sip:127.0.0.1:" + sipPort + "\";regint=300\n");
    Files.writeString(conf.resolve("contacts"), "\"Bob\" <sip:bob@switchboard.test>;presence=p2p\n");
    Path out = dir.resolve("baresip.out");
    // -s prints the SIP trace; -t bounds the run should the test fail before it ends baresip itself.
    baresip = new ProcessBuilder("baresip", "-f", conf.toString(), "-s", "-t", "60").redirectErrorStream(true)
        .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();

    assertEquals("alice", registered.future().await(30, TimeUnit.SECONDS).getString("username"));
    JsonObject first = notified.future().await(30, TimeUnit.SECONDS);
    assertEquals("bob", first.getString("presentity"));
    assertEquals("offline", first.getJsonObject("presence").getString("state"));

    baresip.destroy(); // SIGTERM: baresip unsubscribes and unregisters on its way out
    assertEquals("alice", gone.future().await(30, TimeUnit.SECONDS).getString("watcher"));
    assertEquals("alice", unregistered.future().await(30, TimeUnit.SECONDS).getString("username"));
    assertTrue(baresip.waitFor(30, TimeUnit.SECONDS), "baresip ends");
    String trace = Files.readString(out, StandardCharsets.UTF_8);
    assertTrue(trace.contains("entity=\"sip:bob@switchboard.test\""), trace);
    assertTrue(trace.contains("200 OK (Switchboard) [1 binding]"), "baresip saw its registration accepted: " + trace);
  }
}
