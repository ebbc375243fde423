package io.switchboard.im;

import io.switchboard.api.Caller;
import io.switchboard.api.im.ImHistoryQuery;
import io.switchboard.api.im.ImConversationsQuery;
import io.switchboard.api.im.RoomCreate;
import io.switchboard.api.im.ConsoleDeliver;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.EventAddresses;
import io.switchboard.api.ImSend;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.SipTestServer;
import io.switchboard.core.testing.Sipp;
import io.switchboard.core.testing.SippTrace;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIP MESSAGE end to end with SIPp as the phones: the sender is one SIPp, each receiving device
 * another, registered with the server like a desk phone. Assertions are on what the devices saw on
 * the wire and on what the store says.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 240, timeUnit = TimeUnit.SECONDS)
class MessagingTest {

  private static final String TEXT = "Grüße aus Zürich — 你好, ça va? ✓";

  private Vertx vertx;
  private Path dataDir;
  private SipTestServer server;

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) throws Exception {
    this.vertx = vertx;
    this.dataDir = dir;
    server = startServer();
    server.createUser("alice", "1001", "alice-sip-secret").await();
    server.createUser("bob", "1002", "bob-sip-secret").await();
    server.createUser("carol", "1003", "carol-sip-secret").await();
  }

  private SipTestServer startServer() throws Exception {
    SipTestServer s = new SipTestServer(vertx, dataDir, Map.of("im.fork-timeout", "3", "im.max-message-size", "2000"));
    ImService[] im = new ImService[1];
    s.beforeSipStart.add(t -> im[0] = new ImService(vertx, t.config, t.users, t.devices, t.sip, t.store));
    s.start().await();
    vertx.executeBlocking(() -> {
      im[0].createIndexes();
      return null;
    }).await();
    im[0].start().await();
    return s;
  }

  @AfterEach
  void stop() {
    server.stop().await();
  }

  private Sipp.Running device(int port, int calls) throws Exception {
    return Sipp.device("receive-message.xml", port, calls).start();
  }

  private void register(String user, String contact, int devicePort, String accept) throws Exception {
    Sipp.Result r = Sipp.scenario("register-device.xml", server.sipPort()).key("domain", server.domain())
        .key("aor", user).key("contact", contact).key("device", "127.0.0.1:" + devicePort).key("accept", accept)
        .auth(user, user + "-sip-secret").run();
    assertTrue(r.passed(), r::toString);
  }

  private Sipp.Result send(String from, String to, String body) throws Exception {
    return send(from, to, "text/plain;charset=UTF-8", body);
  }

  private Sipp.Result send(String from, String to, String contentType, String body) throws Exception {
    Sipp.Result r = Sipp.scenario("send-message.xml", server.sipPort()).key("domain", server.domain())
        .key("from", from).key("to", to).key("ctype", contentType).key("body", body)
        .auth(from, from + "-sip-secret").run();
    assertTrue(r.passed(), r::toString);
    assertTrue(r.messages().contains("SIP/2.0 407 "), "sender is challenged first");
    return r;
  }

  private static List<SippTrace.Message> received(Sipp.Result device) {
    assertTrue(device.passed(), device::toString);
    return SippTrace.received(device.messages(), "MESSAGE");
  }

  @Test
  void onlineDeliveryIsByteForByteAndNamesTheSender() throws Exception {
    int port = FreePorts.udpAndTcp();
    Sipp.Running bob = device(port, 1);
    register("bob", "bob-desk", port, "text/plain");

    Sipp.Result sent = send("alice", "bob", TEXT);
    assertEquals(200, SippTrace.lastStatus(sent.messages()), sent::toString);

    List<SippTrace.Message> got = received(bob.await());
    assertEquals(1, got.size());
    String sentBody = SippTrace.sent(sent.messages(), "MESSAGE").get(1).body();
    assertTrue(sentBody.startsWith(TEXT), sentBody);
    assertEquals(sentBody, got.get(0).body(), "the body the phone sees is the body the sender sent");
    assertTrue(got.get(0).header("Content-Type").toLowerCase().startsWith("text/plain"));
    String from = got.get(0).header("From");
    assertTrue(from.contains("\"Alice\"") && from.contains("<sip:alice@switchboard.test>"), from);
    assertTrue(got.get(0).startLine().contains("bob-desk@127.0.0.1:" + port), got.get(0).startLine());
  }

  @Test
  void extensionAddressAndEveryDeviceOfTheRecipient() throws Exception {
    int desk = FreePorts.udpAndTcp();
    int pda = FreePorts.udpAndTcp();
    Sipp.Running deskPhone = device(desk, 1);
    Sipp.Running pdaPhone = device(pda, 1);
    register("bob", "bob-desk", desk, "text/plain");
    register("bob", "bob-pda", pda, "text/plain");

    assertEquals(200, SippTrace.lastStatus(send("alice", "1002", "to both").messages()));

    assertEquals("to both", received(deskPhone.await()).get(0).body().strip());
    assertEquals("to both", received(pdaPhone.await()).get(0).body().strip());
  }

  @Test
  void aDeadDeviceDoesNotBlockTheLiveOne() throws Exception {
    int live = FreePorts.udpAndTcp();
    int dead = FreePorts.udpAndTcp(); // registered, but nothing listens there
    Sipp.Running phone = device(live, 1);
    register("bob", "bob-dead", dead, "text/plain");
    register("bob", "bob-live", live, "text/plain");

    assertEquals(200, SippTrace.lastStatus(send("alice", "bob", "still here").messages()));
    assertEquals("still here", received(phone.await()).get(0).body().strip());
  }

  @Test
  void theDeviceInUseAnswersTheSenderAndALongUnusedDeviceAnsweringLateDoesNotHoldThe200Back() throws Exception {
    int desk = FreePorts.udpAndTcp();
    int mobile = FreePorts.udpAndTcp();
    Sipp.Running deskPhone = Sipp.device("receive-message-late.xml", desk, 1).start(); // answers after 5 s
    Sipp.Running mobilePhone = device(mobile, 1);
    registerWithUserAgent("bob", "bob-desk", desk, "Yealink SIP-T54W 96.86.0.70");
    registerWithUserAgent("bob", "bob-mobile", mobile, "LinphoneAndroid/5.1.0 (Pixel 7) LinphoneSDK/5.2.0");
    // Bob writes to carol from his mobile: his mobile is the device in use (the desk phone was never used).
    Promise<JsonObject> used = Promise.promise();
    vertx.eventBus().<JsonObject>consumer(EventAddresses.DEVICE_USED, m -> used.tryComplete(m.body()));
    Sipp.Result fromMobile = Sipp.scenario("send-message-from-device.xml", server.sipPort()).key("domain", server.domain())
        .key("from", "bob").key("to", "carol").key("ctype", "text/plain;charset=UTF-8").key("body", "on my way")
        .key("contact", "bob-mobile").key("device", "127.0.0.1:" + mobile).auth("bob", "bob-sip-secret").run();
    assertEquals(202, SippTrace.lastStatus(fromMobile.messages()), fromMobile::toString);
    JsonObject use = used.future().await(20, TimeUnit.SECONDS);
    assertEquals("sip:bob-mobile@127.0.0.1:" + mobile, use.getString("device"));
    assertEquals("mobile", use.getString("kind"));

    Sipp.Result sent = send("alice", "bob", "where are you?");
    assertEquals(200, SippTrace.lastStatus(sent.messages()), sent::toString);

    Sipp.Result mobileTrace = mobilePhone.await();
    Sipp.Result deskTrace = deskPhone.await();
    assertEquals("where are you?", received(mobileTrace).get(0).body().strip());
    assertEquals("where are you?", received(deskTrace).get(0).body().strip(), "the other forks still get it");
    // On the wire (each SIPp's own time stamps, one clock): the mobile's 200, then the sender's, then the desk's.
    var mobile200 = SippTrace.at(mobileTrace.messages(), false, "SIP/2.0 200").get(0);
    var sender200 = SippTrace.at(sent.messages(), true, "SIP/2.0 200").get(0);
    var desk200 = SippTrace.at(deskTrace.messages(), false, "SIP/2.0 200").get(0);
    assertTrue(!mobile200.isAfter(sender200), "the sender's 200 follows the mobile's: " + mobile200 + " " + sender200);
    assertTrue(sender200.isBefore(desk200), "the desk phone's late 200 did not hold it back: " + sender200 + " " + desk200);
  }

  private void registerWithUserAgent(String user, String contact, int devicePort, String userAgent) throws Exception {
    Sipp.Result r = Sipp.scenario("register-device-ua.xml", server.sipPort()).key("domain", server.domain())
        .key("aor", user).key("contact", contact).key("device", "127.0.0.1:" + devicePort).key("accept", "text/plain")
        .key("ua", userAgent).auth(user, user + "-sip-secret").run();
    assertTrue(r.passed(), r::toString);
  }

  @Test
  void offlineMessagesAreStoredThenDeliveredInOrderOnRegistration() throws Exception {
    for (int i = 1; i <= 3; i++) {
      Sipp.Result r = send("alice", "carol", "stored " + i);
      assertEquals(202, SippTrace.lastStatus(r.messages()), r::toString);
    }
    Promise<Void> allDelivered = deliveries(3);
    int port = FreePorts.udpAndTcp();
    Sipp.Running carol = device(port, 3);
    register("carol", "carol-desk", port, "text/plain");

    assertEquals(List.of("stored 1", "stored 2", "stored 3"),
        received(carol.await()).stream().map(m -> m.body().strip()).toList());
    allDelivered.future().await(20, TimeUnit.SECONDS);
    JsonArray history = history("carol", "alice");
    assertEquals(3, history.size());
    history.forEach(m -> assertEquals("DELIVERED", ((JsonObject) m).getString("state")));
  }

  @Test
  void aRestartBetweenStoringAndDeliveringLosesNothingAndDoublesNothing() throws Exception {
    assertEquals(202, SippTrace.lastStatus(send("alice", "carol", "before restart 1").messages()));
    assertEquals(202, SippTrace.lastStatus(send("bob", "carol", "before restart 2").messages()));
    server.stop().await();
    server = startServer();

    Promise<Void> delivered = deliveries(2);
    int port = FreePorts.udpAndTcp();
    Sipp.Running carol = device(port, 3);
    register("carol", "carol-desk", port, "text/plain");
    delivered.future().await(20, TimeUnit.SECONDS);
    // A second registration must not send them again: the next thing carol's phone sees is new.
    register("carol", "carol-desk", port, "text/plain");
    assertEquals(200, SippTrace.lastStatus(send("alice", "carol", "after restart").messages()));

    assertEquals(List.of("before restart 1", "before restart 2", "after restart"),
        received(carol.await()).stream().map(m -> m.body().strip()).toList());
  }

  @Test
  void aDeliveredMessageCostsOneStoreWriteAndOutlivesARestart() throws Exception {
    int port = FreePorts.udpAndTcp();
    Sipp.Running bob = device(port, 1);
    register("bob", "bob-desk", port, "text/plain");
    long writesBefore = server.store.writes(vertx, "messages").written();

    assertEquals(200, SippTrace.lastStatus(send("alice", "bob", "kept for good").messages()));

    // Counted when the batch is durable, before any caller hears of it: so before the 200.
    assertEquals(1, server.store.writes(vertx, "messages").written() - writesBefore,
        "inserted once, already DELIVERED: no PENDING insert, no update");
    assertEquals("kept for good", received(bob.await()).get(0).body().strip());
    server.stop().await();
    server = startServer();
    JsonArray history = history("bob", "alice");
    assertEquals(1, history.size(), history::encode);
    JsonObject kept = history.getJsonObject(0);
    assertEquals("kept for good", kept.getString("text").strip());
    assertEquals("DELIVERED", kept.getString("state"));
    assertTrue(kept.getValue("deliveredAt") != null, kept::encode);
  }

  @Test
  void theConsoleIsABranchOnlyWhileOneIsOpen() throws Exception {
    List<String> atConsole = new java.util.concurrent.CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>consumer(EventAddresses.CONSOLE_DELIVER + "carol", m -> {
      atConsole.add(ConsoleDeliver.fromJson(m.body()).message().text());
      m.reply(new JsonObject());
    }).completion().await();
    // Published before the request, handled on the same (home SIP) context as IM_SEND: seen first.
    vertx.eventBus().publish(EventAddresses.CONSOLE_PRESENCE, new JsonObject().put("username", "carol").put("online", true));
    JsonObject live = vertx.eventBus().<JsonObject>request(EventAddresses.IM_SEND,
        new ImSend(Caller.user("alice"), "carol", "to the browser").toJson()).await().body();
    assertEquals("DELIVERED", live.getString("state"));
    assertEquals(List.of("to the browser"), atConsole);

    vertx.eventBus().publish(EventAddresses.CONSOLE_PRESENCE, new JsonObject().put("username", "carol").put("online", false));
    JsonObject later = vertx.eventBus().<JsonObject>request(EventAddresses.IM_SEND,
        new ImSend(Caller.user("alice"), "carol", "for later").toJson()).await().body();
    assertEquals("STORED", later.getString("state"), "closed consoles are not asked");
    assertEquals(List.of("to the browser"), atConsole);
  }

  @Test
  void refusals() throws Exception {
    assertEquals(404, SippTrace.lastStatus(send("alice", "nobody", "hello?").messages()));
    assertEquals(413, SippTrace.lastStatus(send("alice", "bob", "x".repeat(2500)).messages()));
    assertEquals(415, SippTrace.lastStatus(send("alice", "bob", "application/octet-stream", "bytes").messages()));
    Sipp.Result wrong = Sipp.scenario("send-message.xml", server.sipPort()).key("domain", server.domain())
        .key("from", "alice").key("to", "bob").key("ctype", "text/plain").key("body", "hi")
        .auth("alice", "wrong-password").run();
    assertEquals(403, SippTrace.lastStatus(wrong.messages()), wrong::toString);
    assertTrue(history("alice", "bob").isEmpty(), "refused messages are not kept");
  }

  @Test
  void cpimBecomesTextPlainForDevicesThatDidNotAskForIt() throws Exception {
    int desk = FreePorts.udpAndTcp();
    int soft = FreePorts.udpAndTcp();
    Sipp.Running deskPhone = device(desk, 1);
    Sipp.Running softphone = device(soft, 1);
    register("bob", "bob-desk", desk, "text/plain");
    register("bob", "bob-soft", soft, "message/cpim, text/plain");

    Sipp.Result sent = Sipp.scenario("send-cpim.xml", server.sipPort()).key("domain", server.domain())
        .key("from", "alice").key("to", "bob").key("body", TEXT).auth("alice", "alice-sip-secret").run();
    assertEquals(200, SippTrace.lastStatus(sent.messages()), sent::toString);

    SippTrace.Message plain = received(deskPhone.await()).get(0);
    assertTrue(plain.header("Content-Type").toLowerCase().startsWith("text/plain"), plain.headers());
    assertEquals(TEXT + "\r\n", plain.body(), "the CPIM inner body, CRLF as SIPp wrote it");
    SippTrace.Message cpim = received(softphone.await()).get(0);
    assertEquals("message/cpim", cpim.header("Content-Type").toLowerCase());
    assertTrue(cpim.body().contains("DateTime: 2026-11-26T10:00:00Z") && cpim.body().contains(TEXT), cpim.body());
  }

  @Test
  void theConsolePathIsTheSamePath() throws Exception {
    int port = FreePorts.udpAndTcp();
    Sipp.Running bob = device(port, 1);
    register("bob", "bob-desk", port, "text/plain");

    JsonObject reply = vertx.eventBus().<JsonObject>request(EventAddresses.IM_SEND,
        new ImSend(Caller.user("alice"), "1002", "from the browser").toJson()).await().body();
    assertEquals("DELIVERED", reply.getString("state"));
    assertEquals("from the browser", received(bob.await()).get(0).body());

    JsonObject stored = vertx.eventBus().<JsonObject>request(EventAddresses.IM_SEND,
        new ImSend(Caller.user("alice"), "carol", "for later").toJson()).await().body();
    assertEquals("STORED", stored.getString("state"));
    try {
      vertx.eventBus().request(EventAddresses.IM_SEND, new ImSend(Caller.user("alice"), "nobody", "x").toJson()).await();
    } catch (ReplyException e) {
      assertEquals(404, e.failureCode());
      JsonObject conversations = vertx.eventBus().<JsonObject>request(EventAddresses.IM_CONVERSATIONS,
          new ImConversationsQuery(Caller.user("alice")).toJson()).await().body();
      assertEquals(List.of("carol", "bob"), conversations.getJsonArray("conversations").stream()
          .map(c -> ((JsonObject) c).getString("with")).toList());
      return;
    }
    throw new AssertionError("unknown recipient must fail with 404");
  }

  @Test
  void aRoomMessageReachesEveryMemberButTheSender() throws Exception {
    server.createUser("dave", "1004", "dave-sip-secret").await();
    JsonObject room = vertx.eventBus().<JsonObject>request(EventAddresses.IM_ROOM_CREATE, new RoomCreate(Caller.user("alice"), "team", List.of("bob", "carol")).toJson()).await().body();
    assertEquals("room-team", room.getString("address"));
    int alicePort = FreePorts.udpAndTcp();
    int bobPort = FreePorts.udpAndTcp();
    Sipp.Running alicePhone = device(alicePort, 1);
    Sipp.Running bobPhone = device(bobPort, 1);
    register("alice", "alice-desk", alicePort, "text/plain");
    register("bob", "bob-desk", bobPort, "text/plain");

    assertEquals(200, SippTrace.lastStatus(send("alice", "room-team", "hello team").messages()));
    SippTrace.Message atBob = received(bobPhone.await()).get(0);
    assertEquals("Alice: hello team", atBob.body().strip(), "text-only phones see who spoke");
    assertTrue(atBob.header("From").contains("<sip:room-team@switchboard.test>"), atBob.header("From"));

    // carol was offline: her copy waits for her phone
    Promise<Void> delivered = deliveries(1);
    int carolPort = FreePorts.udpAndTcp();
    Sipp.Running carolPhone = device(carolPort, 1);
    register("carol", "carol-desk", carolPort, "message/cpim");
    SippTrace.Message atCarol = received(carolPhone.await()).get(0);
    assertEquals("message/cpim", atCarol.header("Content-Type").toLowerCase());
    assertTrue(atCarol.body().contains("From: Alice <sip:alice@switchboard.test>"), atCarol.body());
    delivered.future().await(10, TimeUnit.SECONDS);

    // a bob reply reaches alice's phone (alice is a member), not bob's own
    assertEquals(200, SippTrace.lastStatus(send("bob", "room-team", "hi alice").messages()));
    assertEquals("Bob: hi alice", received(alicePhone.await()).get(0).body().strip());

    assertEquals(403, SippTrace.lastStatus(send("dave", "room-team", "let me in").messages()));
    assertEquals(404, SippTrace.lastStatus(send("alice", "room-nothere", "anyone?").messages()));
    assertEquals(List.of("hi alice", "hello team"), history("alice", "room-team").stream()
        .map(m -> ((JsonObject) m).getString("text").strip()).toList());
    assertEquals(2, history("carol", "room-team").size());
  }

  /** Completes after n messages changed to DELIVERED. */
  private Promise<Void> deliveries(int n) {
    Promise<Void> done = Promise.promise();
    AtomicInteger seen = new AtomicInteger();
    vertx.eventBus().<JsonObject>consumer(EventAddresses.IM_STATE, m -> {
      if ("DELIVERED".equals(m.body().getString("state")) && seen.incrementAndGet() == n) {
        done.tryComplete();
      }
    });
    return done;
  }

  private JsonArray history(String user, String with) {
    return vertx.eventBus().<JsonObject>request(EventAddresses.IM_HISTORY,
        new ImHistoryQuery(Caller.user(user), with, null, 50).toJson()).await().body().getJsonArray("messages");
  }
}
