package io.switchboard.server;

import io.switchboard.api.Caller;
import io.switchboard.api.sip.BindingsQuery;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.EventAddresses;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.TestCertificates;
import io.switchboard.core.testing.TestConfigs;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClientSession;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * baresip (libre's TLS) registers over SIP TLS, checking our certificate, watches a buddy, and a
 * message sent from the web console and the buddy's NOTIFY reach it over that same connection.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class BaresipTlsTest {

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
  void baresipRegistersWatchesAndReceivesAMessageOverItsTlsConnection(Vertx vertx, @TempDir Path dir) throws Exception {
    TestCertificates.Pair pair = TestCertificates.create(dir, "server", 0x7373, TestCertificates.KeyForm.EC_PKCS8);
    int sipPort = FreePorts.udpAndTcp();
    int tlsPort = FreePorts.udpAndTcp();
    int phonePort = FreePorts.udpAndTcp();
    switchboard = new Switchboard(vertx, TestConfigs.loopback(dir.resolve("data"), sipPort, 0,
        Map.of("admin.password", "admin-password", "presence.default-rule", "allow", "tls.cert", pair.cert().toString(), "tls.key", pair.key().toString(),
            "sip.tls-port", String.valueOf(tlsPort))), s -> { });
    switchboard.start().await();
    WebClientSession admin = Api.login(vertx, switchboard, "admin", "admin-password");
    Api.createUsers(admin, new String[] {"alice", "1001"}, new String[] {"bob", "1002"});
    Promise<JsonObject> registered = Promise.promise();
    vertx.eventBus().<JsonObject>consumer(EventAddresses.REGISTRATION, m -> {
      if ("REGISTERED".equals(m.body().getString("change"))) {
        registered.tryComplete(m.body());
      }
    });
    Promise<JsonObject> notified = Promise.promise();
    vertx.eventBus().<JsonObject>consumer(EventAddresses.PRESENCE_NOTIFIED, m -> notified.tryComplete(m.body()));

    Path conf = Files.createDirectories(dir.resolve("baresip"));
    Files.writeString(conf.resolve("config"), String.join("\n",
        "sip_listen 127.0.0.1:" + phonePort,
        "sip_cafile " + pair.cert(),
        "module_path /usr/lib/baresip/modules",
        "module_app account.so",
        "module_app contact.so",
        "module_app menu.so",
        "module_app presence.so",
        "audio_player aufile,/dev/null",
        "audio_source aufile,/dev/null", ""));
    Files.writeString(conf.resolve("accounts"), "<sip:alice@switchboard.test;transport=tls>;auth_pass=alice-sip-pw;"
        + "outbound=\"sip:127.0.0.1:" + tlsPort + ";transport=tls\";regint=300\n");
    Files.writeString(conf.resolve("contacts"), "\"Bob\" <sip:bob@switchboard.test>;presence=p2p\n");
    Path out = dir.resolve("baresip.out");
    baresip = new ProcessBuilder("baresip", "-f", conf.toString(), "-s", "-t", "90").redirectErrorStream(true)
        .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();

    assertEquals("alice", registered.future().await(40, TimeUnit.SECONDS).getString("username"),
        () -> readQuietly(out));
    JsonObject binding = vertx.eventBus().<JsonObject>request(EventAddresses.SIP_BINDINGS,
        new BindingsQuery(Caller.admin("admin"), "alice").toJson())
        .await(10, TimeUnit.SECONDS).body().getJsonArray("bindings").getJsonObject(0);
    assertEquals("tls", binding.getString("transport"), binding.encode());

    // The watch: NOTIFY acknowledged by baresip.
    JsonObject first = notified.future().await(40, TimeUnit.SECONDS);
    assertEquals("alice", first.getString("watcher"));
    assertEquals("bob", first.getString("presentity"));

    WebClientSession bob = Api.login(vertx, switchboard, "bob", "bob-web-pw");
    HttpResponse<Buffer> sent = bob.post("/api/messages")
        .sendJsonObject(new JsonObject().put("to", "alice").put("body", "sent over TLS")).await();
    assertEquals(200, sent.statusCode(), () -> sent.bodyAsString() + "\n" + readQuietly(out));
    assertEquals("DELIVERED", sent.bodyAsJsonObject().getString("state"));

    // baresip's trace names each message's connection: the MESSAGE came down the one it registered on.
    String trace = readQuietly(out);
    Matcher register = Pattern.compile("TLS 127\\.0\\.0\\.1:(\\d+) -> 127\\.0\\.0\\.1:" + tlsPort + "\\s+REGISTER ")
        .matcher(trace);
    assertTrue(register.find(), trace);
    Matcher message = Pattern.compile("TLS 127\\.0\\.0\\.1:" + tlsPort + " -> 127\\.0\\.0\\.1:" + register.group(1)
        + "\\s+MESSAGE sip:alice-[^\\n]*;transport=tls SIP/2\\.0[^#]*Via: SIP/2\\.0/TLS 127\\.0\\.0\\.1:" + tlsPort
        + ";[^#]*sent over TLS").matcher(trace);
    assertTrue(message.find(), trace);
    // The NOTIFY too, with our TLS Via and a sips Contact (in whatever order the headers come).
    Matcher notify = Pattern.compile("TLS 127\\.0\\.0\\.1:" + tlsPort + " -> 127\\.0\\.0\\.1:" + register.group(1)
        + "\\s+NOTIFY sip:alice-[^\\n]*;transport=tls SIP/2\\.0[^#]*").matcher(trace);
    assertTrue(notify.find(), trace);
    String notifyHeaders = notify.group();
    assertTrue(notifyHeaders.contains("Via: SIP/2.0/TLS 127.0.0.1:" + tlsPort + ";"), notifyHeaders);
    assertTrue(notifyHeaders.contains("Contact: <sips:127.0.0.1:" + tlsPort + ">"), notifyHeaders);
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      return "(" + e.getMessage() + ")";
    }
  }
}
