package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.EventAddresses;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.TestConfigs;
import io.switchboard.telephony.FakeAsterisk;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClientSession;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Click-to-call from the API to the AMI Originate Asterisk receives, and the outcome Asterisk
 * reports back (recorded sessions 06, answered, and 08, nobody answered).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class ClickToCallTest {

  private Switchboard switchboard;
  private FakeAsterisk asterisk;

  @AfterEach
  void stop() throws Exception {
    switchboard.stop().await();
    if (asterisk != null) {
      asterisk.close();
    }
  }

  private WebClientSession start(Vertx vertx, Path dir, Map<String, String> ami) throws Exception {
    Map<String, String> settings = new java.util.HashMap<>(ami);
    settings.put("admin.password", "admin-password");
    switchboard = new Switchboard(vertx, TestConfigs.loopback(dir, FreePorts.udpAndTcp(), 0, settings), s -> { });
    switchboard.start().await();
    WebClientSession admin = Api.login(vertx, switchboard, "admin", "admin-password");
    for (String[] u : new String[][] {{"alice", "1001"}, {"bob", "1002"}, {"oscar", "1004"}}) {
      assertEquals(201, admin.post("/api/users").sendJsonObject(new JsonObject().put("username", u[0])
          .put("displayName", u[0].substring(0, 1).toUpperCase() + u[0].substring(1)).put("extension", u[1])
          .put("password", u[0] + "-web-pw").put("sipPassword", u[0] + "-sip-pw")).await().statusCode());
    }
    return admin;
  }

  private Promise<JsonObject> progress(Vertx vertx) {
    Promise<JsonObject> p = Promise.promise();
    vertx.eventBus().<JsonObject>consumer(EventAddresses.CALL_PROGRESS, m -> p.tryComplete(m.body()));
    return p;
  }

  @Test
  void aClickRingsTheUsersPhoneThenDialsTheColleague(Vertx vertx, @TempDir Path dir) throws Exception {
    asterisk = new FakeAsterisk("uc", "ucsecret").reply("Originate", "action-Originate.ami");
    WebClientSession admin = start(vertx, dir, Map.of("ami.host", "127.0.0.1", "ami.port",
        String.valueOf(asterisk.port()), "ami.username", "uc", "ami.secret", "ucsecret"));
    WebClientSession alice = Api.login(vertx, switchboard, "alice", "alice-web-pw");
    Promise<JsonObject> outcome = progress(vertx);

    HttpResponse<Buffer> queued = alice.post("/api/calls").sendJsonObject(new JsonObject().put("to", "bob")).await();
    assertEquals(202, queued.statusCode(), queued.bodyAsString());
    assertEquals("queued", queued.bodyAsJsonObject().getString("state"));
    assertEquals("1002", queued.bodyAsJsonObject().getString("to"));

    Map<String, String> originate = asterisk.received().stream()
        .filter(a -> "originate".equalsIgnoreCase(a.get("action"))).findFirst().orElseThrow();
    assertEquals("PJSIP/1001", originate.get("channel"), "alice's own phone rings first");
    assertEquals("internal", originate.get("context"));
    assertEquals("1002", originate.get("exten"));
    assertEquals("true", originate.get("async"));
    assertTrue(originate.get("callerid").contains("Bob"), originate.toString());

    asterisk.replayReplacing("06-originate.ami", "ActionID: orig-1", "ActionID: " + originate.get("actionid"));
    JsonObject answered = outcome.future().await(20, TimeUnit.SECONDS);
    assertEquals("answered", answered.getString("outcome"));
    assertEquals(queued.bodyAsJsonObject().getString("id"), answered.getString("id"));
    assertEquals("alice", answered.getString("user"));

    Api.assertError(admin.post("/api/calls").sendJsonObject(new JsonObject().put("to", "bob")).await(), 409, "user");
    Api.assertError(alice.post("/api/calls").sendJsonObject(new JsonObject().put("to", "nobody")).await(), 404, "to");
    Api.assertError(alice.post("/api/calls").sendJsonObject(new JsonObject()).await(), 400, "to");
  }

  @Test
  void theUsersDeskPhoneRingsFirstAndIsAskedToAnswerByItself(Vertx vertx, @TempDir Path dir) throws Exception {
    asterisk = new FakeAsterisk("uc", "ucsecret").reply("Originate", "action-Originate.ami");
    WebClientSession admin = start(vertx, dir, Map.of("ami.host", "127.0.0.1", "ami.port",
        String.valueOf(asterisk.port()), "ami.username", "uc", "ami.secret", "ucsecret"));
    HttpResponse<Buffer> softphone = admin.post("/api/users/alice/devices")
        .sendJsonObject(new JsonObject().put("kind", "softphone").put("vendor", "baresip")).await();
    assertEquals(201, softphone.statusCode(), softphone.bodyAsString());
    HttpResponse<Buffer> desk = admin.post("/api/users/alice/devices").sendJsonObject(new JsonObject()
        .put("kind", "desk-phone").put("vendor", "snom").put("model", "D785").put("mac", "00:04:13:aa:bb:cc")).await();
    assertEquals(201, desk.statusCode(), desk.bodyAsString());
    String deskEndpoint = desk.bodyAsJsonObject().getString("endpoint");
    WebClientSession alice = Api.login(vertx, switchboard, "alice", "alice-web-pw");

    HttpResponse<Buffer> queued = alice.post("/api/calls").sendJsonObject(new JsonObject().put("to", "bob")).await();
    assertEquals(202, queued.statusCode(), queued.bodyAsString());
    assertEquals(deskEndpoint, queued.bodyAsJsonObject().getString("from"), "the desk phone, though added second");
    assertEquals(true, queued.bodyAsJsonObject().getBoolean("autoAnswer"));
    Map<String, String> originate = originates().get(0);
    assertEquals("PJSIP/" + deskEndpoint, originate.get("channel"));
    assertEquals("PJSIP_HEADER(add,Call-Info)=<sip:127.0.0.1>;answer-after=0", originate.get("variable"),
        "Snom answers an INVITE with Call-Info answer-after=0 by itself");

    // The softphone, chosen: it has no auto-answer header it honours, so it simply rings.
    HttpResponse<Buffer> chosen = alice.post("/api/calls").sendJsonObject(new JsonObject().put("to", "1004")
        .put("device", softphone.bodyAsJsonObject().getString("id"))).await();
    assertEquals(202, chosen.statusCode(), chosen.bodyAsString());
    assertEquals("PJSIP/" + softphone.bodyAsJsonObject().getString("endpoint"), originates().get(1).get("channel"));
    assertEquals(null, originates().get(1).get("variable"));
    Api.assertError(alice.post("/api/calls").sendJsonObject(new JsonObject().put("to", "bob").put("device", "nope"))
        .await(), 404, "device");
  }

  private java.util.List<Map<String, String>> originates() {
    return asterisk.received().stream().filter(a -> "originate".equalsIgnoreCase(a.get("action"))).toList();
  }

  @Test
  void nobodyAnsweringIsReported(Vertx vertx, @TempDir Path dir) throws Exception {
    asterisk = new FakeAsterisk("uc", "ucsecret").reply("Originate", "action-Originate.ami");
    start(vertx, dir, Map.of("ami.host", "127.0.0.1", "ami.port", String.valueOf(asterisk.port()),
        "ami.username", "uc", "ami.secret", "ucsecret"));
    WebClientSession oscar = Api.login(vertx, switchboard, "oscar", "oscar-web-pw");
    Promise<JsonObject> outcome = progress(vertx);
    HttpResponse<Buffer> queued = oscar.post("/api/calls").sendJsonObject(new JsonObject().put("to", "1002")).await();
    assertEquals(202, queued.statusCode(), queued.bodyAsString());
    Map<String, String> originate = asterisk.received().stream()
        .filter(a -> "originate".equalsIgnoreCase(a.get("action"))).findFirst().orElseThrow();
    asterisk.replayReplacing("08-originate-failed.ami", "ActionID: orig-2", "ActionID: " + originate.get("actionid"));
    assertEquals("no-answer", outcome.future().await(20, TimeUnit.SECONDS).getString("outcome"));
  }

  @Test
  void withoutAsteriskTheAnswerIs503(Vertx vertx, @TempDir Path dir) throws Exception {
    start(vertx, dir, Map.of());
    WebClientSession alice = Api.login(vertx, switchboard, "alice", "alice-web-pw");
    Api.assertError(alice.post("/api/calls").sendJsonObject(new JsonObject().put("to", "bob")).await(), 503, null);
  }
}
