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
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClientSession;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A conference from a chat room in Chromium, against the fake Asterisk replaying {@code 09-conference.ami}
 * (written from the AMI documentation): the "Call everyone" button, the Originates Asterisk receives,
 * the invitation in the room for the member on the phone, who joins and leaves shown live, the room's
 * {@code conference} in the API; and voicemail waiting next to one's own state.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 150, timeUnit = TimeUnit.SECONDS)
class ConferenceCallTest {

  private static final String TRACE = "09-conference.ami";
  /** The trace's alice has a provisioned desk phone; here she is rung on her extension. */
  private static final Map<String, String> ALICE_BY_EXTENSION = Map.of("alice-desk", "1001");

  private Switchboard switchboard;
  private FakeAsterisk asterisk;
  private Browser browser;

  @AfterEach
  void stop() throws Exception {
    if (browser != null) {
      browser.close();
    }
    switchboard.stop().await();
    asterisk.close();
  }

  private WebClientSession start(Vertx vertx, Path dir, Map<String, String> more) throws Exception {
    asterisk = new FakeAsterisk("uc", "ucsecret").reply("Originate", "action-Originate.ami");
    Map<String, String> settings = new HashMap<>(Map.of("admin.password", "admin-password", "ami.host", "127.0.0.1",
        "ami.port", String.valueOf(asterisk.port()), "ami.username", "uc", "ami.secret", "ucsecret"));
    settings.putAll(more);
    switchboard = new Switchboard(vertx, TestConfigs.loopback(dir, FreePorts.udpAndTcp(), 0, settings), s -> { });
    switchboard.start().await();
    WebClientSession admin = Api.login(vertx, switchboard, "admin", "admin-password");
    for (String[] u : new String[][] {{"alice", "1001", "Alice"}, {"bob", "1002", "Bob"}, {"oscar", "1004", "Oscar"},
        {"carol", "1003", "Carol"}}) {
      HttpResponse<Buffer> r = admin.post("/api/users").sendJsonObject(new JsonObject().put("username", u[0])
          .put("displayName", u[2]).put("extension", u[1]).put("password", u[0] + "-web-pw")
          .put("sipPassword", u[0] + "-sip-pw")).await();
      assertEquals(201, r.statusCode(), r.bodyAsString());
    }
    WebClientSession alice = Api.login(vertx, switchboard, "alice", "alice-web-pw");
    HttpResponse<Buffer> room = alice.post("/api/rooms").sendJsonObject(new JsonObject().put("name", "sales")
        .put("members", new JsonArray().add("bob").add("oscar"))).await();
    assertEquals(201, room.statusCode(), room.bodyAsString());
    return alice;
  }

  @Test
  void callEveryoneRingsTheFreeMembersAndTheRoomShowsWhoJoinsAndLeaves(Vertx vertx, @TempDir Path dir)
      throws Exception {
    WebClientSession alice = start(vertx, dir, Map.of("ami.conference-extension", "8000",
        "ami.conference-context", "conferences"));
    Promise<Void> oscarOnThePhone = Promise.promise();
    vertx.eventBus().<JsonObject>consumer(EventAddresses.CALL_STATE, m -> {
      if ("oscar".equals(m.body().getString("username")) && "IN_CALL".equals(m.body().getString("state"))) {
        oscarOnThePhone.tryComplete();
      }
    }).completion().await();
    int next = asterisk.replayStep(TRACE, 0, "Event: Newchannel", 1, ALICE_BY_EXTENSION);
    oscarOnThePhone.future().await(20, TimeUnit.SECONDS);

    browser = new Browser(switchboard.web().actualPort());
    browser.login("alice", "alice-web-pw");
    browser.open("#/room/sales");
    browser.click("room-call");
    String outcome = browser.waitText("conference-outcome", "Ringing: alice, bob");
    assertTrue(outcome.contains("Asked in the room: oscar"), outcome);
    assertTrue(outcome.contains("8000"), outcome);
    // The invitation, sent in alice's name before the answer, is in the room for the others.
    WebClientSession oscar = Api.login(vertx, switchboard, "oscar", "oscar-web-pw");
    JsonArray history = oscar.get("/api/messages?with=room-sales").send().await().bodyAsJsonObject().getJsonArray("messages");
    assertTrue(history.stream().map(m -> ((JsonObject) m).getString("text"))
        .anyMatch(t -> t.startsWith("Alice started a conference call: dial 8000 to join") && t.contains("oscar")),
        history.encodePrettily());

    List<Map<String, String>> originates = asterisk.received().stream()
        .filter(a -> "originate".equalsIgnoreCase(a.get("action"))).toList();
    assertEquals(2, originates.size(), originates.toString());
    assertEquals(List.of("PJSIP/1001", "PJSIP/1002"), originates.stream().map(a -> a.get("channel")).sorted().toList());
    for (Map<String, String> o : originates) {
      assertEquals("conferences", o.get("context"));
      assertEquals("8000", o.get("exten"));
      assertEquals("SWITCHBOARD_ROOM=sales", o.get("variable"), "no provisioned phone: no auto-answer header");
    }

    next = asterisk.replayStep(TRACE, next, "Event: ConfbridgeJoin", 2, ALICE_BY_EXTENSION);
    browser.waitText("conference", "In the call: alice, bob");
    WebClientSession bob = Api.login(vertx, switchboard, "bob", "bob-web-pw");
    JsonObject room = bob.get("/api/rooms/sales").send().await().bodyAsJsonObject();
    assertEquals(new JsonObject().put("active", true).put("members", new JsonArray().add("alice").add("bob")),
        room.getJsonObject("conference"));
    assertEquals("sales", room.getString("name"));
    // Presence: in a meeting (RPID activity "meeting") while in the conference, on the phone no more once out.
    browser.until(d -> "in-meeting".equals(presenceOf(alice, "alice")) ? Boolean.TRUE : null, "alice in a meeting");

    next = asterisk.replayStep(TRACE, next, "Event: ConfbridgeLeave", 1, ALICE_BY_EXTENSION);
    browser.waitText("conference", "In the call: alice");
    next = asterisk.replayStep(TRACE, next, "Event: ConfbridgeEnd", 1, ALICE_BY_EXTENSION);
    browser.waitAttribute("conference", "data-active", "false");
    browser.until(d -> !"in-meeting".equals(presenceOf(alice, "alice")) ? Boolean.TRUE : null, "alice out of the meeting");
    assertEquals(false, bob.get("/api/rooms/sales").send().await().bodyAsJsonObject().getJsonObject("conference")
        .getBoolean("active"));

    // Voicemail for alice's mailbox: the count next to her state, live; and in the API.
    asterisk.replayStep(TRACE, next, null, 0, Map.of("1002@default", "1001@default"));
    browser.waitText("voicemail", "2 new voicemails");
    JsonObject mine = alice.get("/api/me/voicemail").send().await().bodyAsJsonObject();
    assertEquals(2, mine.getInteger("new"));
    assertEquals(1, mine.getInteger("old"));
    assertEquals("1001@default", mine.getString("mailbox"));

    // Only members call a room; an unknown room is 404.
    WebClientSession carol = Api.login(vertx, switchboard, "carol", "carol-web-pw");
    Api.assertError(carol.post("/api/rooms/sales/call").sendJsonObject(new JsonObject()).await(), 403, null);
    Api.assertError(carol.get("/api/rooms/sales").send().await(), 403, null);
    Api.assertError(alice.post("/api/rooms/nope/call").sendJsonObject(new JsonObject()).await(), 404, null);
    Api.assertError(alice.get("/api/rooms/nope").send().await(), 404, null);
    assertEquals(2, asterisk.received().stream().filter(a -> "originate".equalsIgnoreCase(a.get("action"))).count());
  }

  private static String presenceOf(WebClientSession session, String user) {
    JsonObject answer = session.get("/api/presence/" + user).send().await().bodyAsJsonObject();
    JsonObject presence = answer.getJsonObject("presence", answer);
    return presence.getString("state");
  }

  @Test
  void withoutAConferenceNumberTheCallIsRefusedNamingTheKey(Vertx vertx, @TempDir Path dir) throws Exception {
    WebClientSession alice = start(vertx, dir, Map.of());
    Api.assertError(alice.post("/api/rooms/sales/call").sendJsonObject(new JsonObject()).await(), 409,
        "ami.conference-extension");
    assertEquals(false, alice.get("/api/rooms/sales").send().await().bodyAsJsonObject().getJsonObject("conference")
        .getBoolean("active"));
  }
}
