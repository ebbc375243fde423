package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.Sipp;
import io.switchboard.core.testing.SippTrace;
import io.switchboard.core.testing.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClientSession;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Display receipts in a real headless Chromium: what the console shows is "seen" (the sender's CPIM
 * phone, a SIPp client, gets the IMDN display notification it asked for), and a message the console's
 * user sent turns "seen" live when the recipient marks it ({@code POST /api/messages/{id}/seen}).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 240, timeUnit = TimeUnit.SECONDS)
class ReceiptsBrowserTest {

  private static final String DOMAIN = "switchboard.test";
  private Switchboard switchboard;
  private Browser browser;
  private Vertx vertx;
  private int sipPort;

  @BeforeEach
  void start(Vertx v) throws Exception {
    vertx = v;
    Path dir = Files.createTempDirectory("receipts-test");
    sipPort = FreePorts.udpAndTcp();
    switchboard = new Switchboard(vertx, TestConfigs.loopback(dir, sipPort, 0,
        Map.of("admin.password", "admin-password", "im.fork-timeout", "3")), s -> { });
    switchboard.start().await();
    WebClientSession admin = Api.login(vertx, switchboard, "admin", "admin-password");
    for (String[] u : new String[][] {{"alice", "1001", "Alice"}, {"bob", "1002", "Bob"}}) {
      var created = admin.post("/api/users").sendJsonObject(new JsonObject().put("username", u[0])
          .put("displayName", u[2]).put("extension", u[1]).put("password", u[0] + "-web-pw")
          .put("sipPassword", u[0] + "-sip-pw")).await();
      assertEquals(201, created.statusCode(), created.bodyAsString());
    }
    browser = new Browser(switchboard.web().actualPort());
  }

  @AfterEach
  void stop() throws Exception {
    if (browser != null) {
      browser.close();
    }
    switchboard.stop().await();
  }

  @Test
  void whatTheConsoleShowsIsSeenAndTheSenderSeesItSeen() throws Exception {
    int alicePort = FreePorts.udpAndTcp();
    // alice's CPIM phone: the display notification, then bob's reply
    Sipp.Running alicePhone = Sipp.device("receive-message.xml", alicePort, 2).start();
    Sipp.Result reg = Sipp.scenario("register-device.xml", sipPort).key("domain", DOMAIN).key("aor", "alice")
        .key("contact", "alice-soft").key("device", "127.0.0.1:" + alicePort).key("accept", "message/cpim, text/plain")
        .auth("alice", "alice-sip-pw").run();
    assertTrue(reg.passed(), reg::toString);

    // alice's phone asks for a display notification; bob is offline: stored
    Sipp.Result sent = Sipp.scenario("send-cpim-imdn.xml", sipPort).key("domain", DOMAIN).key("from", "alice")
        .key("to", "bob").key("msgid", "browser-1").key("notify", "display").key("body", "did you read this?")
        .auth("alice", "alice-sip-pw").run();
    assertEquals(202, SippTrace.lastStatus(sent.messages()), sent::toString);

    // bob opens the conversation: the console shows it, and says so
    browser.login("bob", "bob-web-pw");
    browser.open("#/chat/alice");
    browser.waitText("chat-log", "did you read this?");
    WebClientSession alice = Api.login(vertx, switchboard, "alice", "alice-web-pw");

    // bob answers from the console; alice's phone gets the notification, then the answer
    browser.type("chat-input", "read it, yes");
    browser.click("chat-send");
    browser.waitAttribute("message-state", "data-state", "DELIVERED");
    assertEquals("delivered", browser.find("message-state").getText());
    Sipp.Result phone = alicePhone.await();
    assertTrue(phone.passed(), phone::toString);
    List<SippTrace.Message> got = SippTrace.received(phone.messages(), "MESSAGE");
    assertEquals(2, got.size());
    // in either order: the notification left as the console showed the message, while bob typed
    SippTrace.Message notification = got.stream().filter(m -> m.body().contains("message/imdn+xml")).findFirst()
        .orElseThrow(() -> new AssertionError(phone.messages()));
    assertTrue(notification.header("Content-Type").toLowerCase().startsWith("message/cpim"));
    String note = notification.body();
    assertTrue(note.contains("<message-id>browser-1</message-id>") && note.contains("<displayed/>"), note);
    assertTrue(notification.header("From").contains("<sip:bob@" + DOMAIN + ">"), notification.header("From"));
    assertTrue(got.stream().anyMatch(m -> m.body().strip().equals("read it, yes")), phone::messages);

    // the history says both: alice's message seen by bob, bob's not yet seen by alice
    JsonObject page = alice.get("/api/messages?with=bob").send().await().bodyAsJsonObject();
    JsonObject hers = message(page, "alice");
    JsonObject his = message(page, "bob");
    assertNotNull(hers.getString("displayedAt"), page::encode);
    assertEquals(null, his.getString("displayedAt"), page::encode);

    // alice's console shows bob's answer: bob's console turns it "seen", live
    var seen = alice.post("/api/messages/" + his.getString("id") + "/seen").sendJsonObject(new JsonObject()).await();
    assertEquals(200, seen.statusCode(), seen.bodyAsString());
    assertNotNull(seen.bodyAsJsonObject().getString("displayedAt"));
    browser.waitAttribute("message-state", "data-seen", "true");
    assertEquals("seen", browser.find("message-state").getText());

    // nobody marks a message they did not receive
    assertEquals(404, alice.post("/api/messages/" + hers.getString("id") + "/seen").sendJsonObject(new JsonObject()).await().statusCode());
  }

  private static JsonObject message(JsonObject page, String from) {
    return page.getJsonArray("messages").stream().map(JsonObject.class::cast)
        .filter(m -> from.equals(m.getString("from"))).findFirst().orElseThrow(() -> new AssertionError(page.encode()));
  }
}
