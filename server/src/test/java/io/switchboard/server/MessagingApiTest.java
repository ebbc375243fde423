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
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.WebClientSession;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Messages from the web API reach a desk phone (SIPp) and a phone's message lands in the API's
 * history: the two paths are one.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class MessagingApiTest {

  private Switchboard switchboard;
  private WebClientSession admin;
  private Vertx vertx;
  private int sipPort;

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) throws Exception {
    this.vertx = vertx;
    sipPort = FreePorts.udpAndTcp();
    switchboard = new Switchboard(vertx, TestConfigs.loopback(dir, sipPort, 0,
        Map.of("admin.password", "admin-password", "im.fork-timeout", "3")), s -> { });
    switchboard.start().await();
    admin = login("admin", "admin-password");
    for (String[] u : new String[][] {{"alice", "1001"}, {"bob", "1002"}, {"carol", "1003"}}) {
      HttpResponse<Buffer> r = admin.post("/api/users").sendJsonObject(new JsonObject().put("username", u[0])
          .put("displayName", u[0].toUpperCase()).put("extension", u[1]).put("password", u[0] + "-web-pw")
          .put("sipPassword", u[0] + "-sip-pw")).await();
      assertEquals(201, r.statusCode(), r.bodyAsString());
    }
  }

  @AfterEach
  void stop() {
    switchboard.stop().await();
  }

  private WebClientSession login(String user, String password) {
    return Api.login(vertx, switchboard, user, password);
  }

  private static void assertError(HttpResponse<Buffer> r, int status, String field) {
    Api.assertError(r, status, field);
  }

  @Test
  void browserToPhoneAndPhoneToHistory() throws Exception {
    int devicePort = FreePorts.udpAndTcp();
    Sipp.Running bobPhone = Sipp.device("receive-message.xml", devicePort, 1).start();
    Sipp.Result reg = Sipp.scenario("register-device.xml", sipPort).key("domain", "switchboard.test").key("aor", "bob")
        .key("contact", "bob-desk").key("device", "127.0.0.1:" + devicePort).key("accept", "text/plain")
        .auth("bob", "bob-sip-pw").run();
    assertTrue(reg.passed(), reg::toString);

    WebClientSession alice = login("alice", "alice-web-pw");
    HttpResponse<Buffer> sent = alice.post("/api/messages")
        .sendJsonObject(new JsonObject().put("to", "1002").put("body", "Lunch at noon? <b>not bold</b>")).await();
    assertEquals(200, sent.statusCode(), sent.bodyAsString());
    assertEquals("DELIVERED", sent.bodyAsJsonObject().getString("state"));
    Sipp.Result phone = bobPhone.await();
    assertTrue(phone.passed(), phone::toString);
    SippTrace.Message got = SippTrace.received(phone.messages(), "MESSAGE").get(0);
    assertEquals("Lunch at noon? <b>not bold</b>", got.body());
    assertTrue(got.header("From").contains("<sip:alice@switchboard.test>"), got.header("From"));

    HttpResponse<Buffer> later = alice.post("/api/messages")
        .sendJsonObject(new JsonObject().put("to", "carol").put("body", "call me")).await();
    assertEquals(202, later.statusCode(), later.bodyAsString());
    assertEquals("STORED", later.bodyAsJsonObject().getString("state"));

    // carol answers from her phone; the browser sees it in the conversation's history
    Sipp.Result fromPhone = Sipp.scenario("send-message.xml", sipPort).key("domain", "switchboard.test")
        .key("from", "carol").key("to", "alice").key("ctype", "text/plain").key("body", "calling you now")
        .auth("carol", "carol-sip-pw").run();
    assertEquals(202, SippTrace.lastStatus(fromPhone.messages()), fromPhone::toString);
    JsonArray history = alice.get("/api/messages").addQueryParam("with", "carol").send().await()
        .bodyAsJsonObject().getJsonArray("messages");
    assertEquals(2, history.size(), history.encode());
    assertEquals("calling you now", history.getJsonObject(0).getString("text").strip());
    assertEquals("carol", history.getJsonObject(0).getString("from"));
    assertEquals("call me", history.getJsonObject(1).getString("text"));
    JsonArray page = alice.get("/api/messages").addQueryParam("with", "carol").addQueryParam("limit", "1")
        .addQueryParam("before", history.getJsonObject(0).getString("createdAt")).send().await()
        .bodyAsJsonObject().getJsonArray("messages");
    assertEquals("call me", page.getJsonObject(0).getString("text"), "paging goes back in time");

    JsonArray conversations = alice.get("/api/conversations").send().await().bodyAsJsonObject()
        .getJsonArray("conversations");
    assertEquals("carol", conversations.getJsonObject(0).getString("with"));
    assertEquals("bob", conversations.getJsonObject(1).getString("with"));
  }

  /** A phone's message and a web one are both found; a stranger finds neither; bad queries name their field. */
  @Test
  void searchFindsOnesOwnMessagesFromPhonesAndTheWeb() throws Exception {
    Sipp.Result fromPhone = Sipp.scenario("send-message.xml", sipPort).key("domain", "switchboard.test")
        .key("from", "carol").key("to", "alice").key("ctype", "text/plain").key("body", "Invoice 42 is overdue")
        .auth("carol", "carol-sip-pw").run();
    assertEquals(202, SippTrace.lastStatus(fromPhone.messages()), fromPhone::toString);
    WebClientSession alice = login("alice", "alice-web-pw");
    assertEquals(202, alice.post("/api/messages").sendJsonObject(new JsonObject().put("to", "bob")
        .put("body", "paid the invoice, number 43")).await().statusCode());
    assertEquals(202, alice.post("/api/messages").sendJsonObject(new JsonObject().put("to", "bob")
        .put("body", "nothing to see")).await().statusCode());

    JsonArray hits = alice.get("/api/messages/search").addQueryParam("q", "INVOICE").send().await()
        .bodyAsJsonObject().getJsonArray("messages");
    assertEquals(List.of("paid the invoice, number 43", "Invoice 42 is overdue"),
        hits.stream().map(m -> ((JsonObject) m).getString("text").strip()).toList(), "newest first, as listed");
    assertEquals("carol", hits.getJsonObject(1).getString("from"));
    JsonArray fromCarol = alice.get("/api/messages/search").addQueryParam("q", "invoice").addQueryParam("from", "1003")
        .send().await().bodyAsJsonObject().getJsonArray("messages");
    assertEquals(1, fromCarol.size(), fromCarol.encode());
    JsonArray withBob = alice.get("/api/messages/search").addQueryParam("q", "invoice").addQueryParam("with", "bob")
        .send().await().bodyAsJsonObject().getJsonArray("messages");
    assertEquals("paid the invoice, number 43", withBob.getJsonObject(0).getString("text"));
    assertEquals(1, withBob.size());
    JsonArray older = alice.get("/api/messages/search").addQueryParam("q", "invoice")
        .addQueryParam("before", hits.getJsonObject(0).getString("createdAt")).send().await()
        .bodyAsJsonObject().getJsonArray("messages");
    assertEquals("Invoice 42 is overdue", older.getJsonObject(0).getString("text").strip(), "the next page");

    WebClientSession bob = login("bob", "bob-web-pw");
    JsonArray bobs = bob.get("/api/messages/search").addQueryParam("q", "invoice").send().await()
        .bodyAsJsonObject().getJsonArray("messages");
    assertEquals(1, bobs.size(), "bob sees what alice sent him, not what carol sent her: " + bobs.encode());

    assertError(alice.get("/api/messages/search").send().await(), 400, "q");
    assertError(alice.get("/api/messages/search").addQueryParam("q", "x").addQueryParam("after", "yesterday").send().await(),
        400, "after");
    assertError(alice.get("/api/messages/search").addQueryParam("q", "x").addQueryParam("with", "bob")
        .addQueryParam("room", "team").send().await(), 400, "room");
    assertError(alice.get("/api/messages/search").addQueryParam("q", "x").addQueryParam("with", "nobody").send().await(),
        404, "with");
    assertError(alice.get("/api/messages/search").addQueryParam("q", "x").addQueryParam("limit", "0").send().await(),
        400, "limit");
  }

  @Test
  void roomsOverTheApi() {
    WebClientSession alice = login("alice", "alice-web-pw");
    WebClientSession bob = login("bob", "bob-web-pw");
    WebClientSession carol = login("carol", "carol-web-pw");
    HttpResponse<Buffer> created = alice.post("/api/rooms")
        .sendJsonObject(new JsonObject().put("name", "lunch").put("members", new JsonArray().add("bob"))).await();
    assertEquals(201, created.statusCode(), created.bodyAsString());
    assertEquals(List.of("alice", "bob"), created.bodyAsJsonObject().getJsonArray("members").getList());
    assertError(alice.post("/api/rooms").sendJsonObject(new JsonObject().put("name", "lunch")).await(), 409, "name");
    assertError(alice.post("/api/rooms").sendJsonObject(new JsonObject().put("name", "Bad Name!")).await(), 400, "name");
    assertError(alice.post("/api/rooms").sendJsonObject(new JsonObject().put("name", "x2")
        .put("members", new JsonArray().add("ghost"))).await(), 404, "members");

    HttpResponse<Buffer> sent = bob.post("/api/rooms/lunch/messages").sendJsonObject(new JsonObject().put("body", "pizza?"))
        .await();
    assertEquals(202, sent.statusCode(), sent.bodyAsString());
    assertError(carol.post("/api/rooms/lunch/messages").sendJsonObject(new JsonObject().put("body", "me too")).await(),
        403, "to");
    JsonArray aliceView = alice.get("/api/messages").addQueryParam("with", "room-lunch").send().await().bodyAsJsonObject()
        .getJsonArray("messages");
    assertEquals("pizza?", aliceView.getJsonObject(0).getString("text"));
    assertEquals("bob", aliceView.getJsonObject(0).getString("from"));
    assertEquals(1, bob.get("/api/rooms").send().await().bodyAsJsonObject().getJsonArray("rooms").size());
    assertEquals(0, carol.get("/api/rooms").send().await().bodyAsJsonObject().getJsonArray("rooms").size());
    assertError(bob.delete("/api/rooms/lunch").send().await(), 403, null);
    assertEquals(204, alice.delete("/api/rooms/lunch").send().await().statusCode());
    assertError(alice.delete("/api/rooms/lunch").send().await(), 404, null);
  }

  @Test
  void apiErrorsSayWhatIsWrong() {
    WebClientSession alice = login("alice", "alice-web-pw");
    assertError(alice.post("/api/messages").sendJsonObject(new JsonObject().put("to", "nobody").put("body", "x"))
        .await(), 404, "to");
    assertError(alice.post("/api/messages").sendJsonObject(new JsonObject().put("to", "bob")).await(), 400, "body");
    assertError(alice.post("/api/messages").sendJsonObject(new JsonObject().put("body", "x")).await(), 400, "to");
    assertError(alice.post("/api/messages").sendJsonObject(new JsonObject().put("to", "bob").put("body", "x".repeat(9000)))
        .await(), 413, "body");
    assertError(alice.get("/api/messages").send().await(), 400, "with");
    assertError(alice.get("/api/messages").addQueryParam("with", "bob").addQueryParam("limit", "0").send().await(),
        400, "limit");
    assertError(alice.get("/api/messages").addQueryParam("with", "bob").addQueryParam("before", "yesterday")
        .send().await(), 400, "before");
    assertError(Api.once(vertx, c -> c.get(switchboard.web().actualPort(), "127.0.0.1", "/api/messages")
        .addQueryParam("with", "bob").send()), 401, null);
  }
}
