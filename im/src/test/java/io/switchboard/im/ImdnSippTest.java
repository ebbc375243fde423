package io.switchboard.im;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.model.Filters;
import io.switchboard.api.Caller;
import io.switchboard.api.EventAddresses;
import io.switchboard.api.im.ImSeen;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.SipTestServer;
import io.switchboard.core.testing.Sipp;
import io.switchboard.core.testing.SippTrace;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * IMDN (RFC 5438) between two SIPp CPIM clients through Switchboard: alice's client sends a CPIM
 * MESSAGE asking for receipts, bob's receives it and sends the notifications back (one plain, one
 * deflated as Linphone does), alice's receives them; the store records them. Also the notifications
 * Switchboard sends itself: delivered for a text-only phone, displayed for the console.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 240, timeUnit = TimeUnit.SECONDS)
class ImdnSippTest {

  private static final String ASK_ALL = "positive-delivery, negative-delivery, display";

  private Vertx vertx;
  private SipTestServer server;
  private ImService im;

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) throws Exception {
    this.vertx = vertx;
    server = new SipTestServer(vertx, dir, Map.of("im.fork-timeout", "3"));
    ImService[] im = new ImService[1];
    server.beforeSipStart.add(t -> im[0] = new ImService(vertx, t.config, t.users, t.devices, t.sip, t.store));
    server.start().await();
    vertx.executeBlocking(() -> {
      im[0].createIndexes();
      return null;
    }).await();
    im[0].start().await();
    this.im = im[0];
    server.createUser("alice", "1001", "alice-sip-secret").await();
    server.createUser("bob", "1002", "bob-sip-secret").await();
  }

  @AfterEach
  void stop() {
    server.stop().await();
  }

  @Test
  void notificationsTravelBetweenTwoCpimClientsAndAreRecorded() throws Exception {
    int alicePort = FreePorts.udpAndTcp();
    int bobPort = FreePorts.udpAndTcp();
    Sipp.Running alicePhone = Sipp.device("receive-message.xml", alicePort, 2).start();
    Sipp.Running bobPhone = Sipp.device("receive-message.xml", bobPort, 1).start();
    register("alice", "alice-soft", alicePort, "message/cpim, text/plain");
    register("bob", "bob-soft", bobPort, "message/cpim, text/plain");

    assertEquals(200, SippTrace.lastStatus(sendCpim("alice", "bob", "imdn-1").messages()));
    SippTrace.Message atBob = received(bobPhone.await()).get(0);
    assertTrue(atBob.body().contains("imdn.Message-ID: imdn-1") && atBob.body().contains(ASK_ALL), atBob.body());

    // bob's client: delivered, then displayed deflated (Content-Encoding: deflate), each answered 200, not 415
    Sipp.Result delivered = Sipp.scenario("send-imdn.xml", server.sipPort()).key("domain", server.domain())
        .key("from", "bob").key("to", "alice").key("msgid", "imdn-1").key("kind", "delivery-notification")
        .key("status", "delivered").auth("bob", "bob-sip-secret").run();
    assertTrue(delivered.passed(), delivered::toString);
    assertEquals(200, SippTrace.lastStatus(delivered.messages()), delivered::toString);

    String displayedCpim = "From: <sip:bob@" + server.domain() + ">\r\nTo: <sip:alice@" + server.domain() + ">\r\n"
        + "DateTime: 2026-11-30T10:00:09Z\r\nNS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: n-2\r\n\r\n"
        + "Content-Type: message/imdn+xml\r\nContent-Disposition: notification\r\n\r\n"
        + new String(new Imdn("imdn-1", "2026-11-30T10:00:09Z", Imdn.Kind.DISPLAY, "displayed").render(null),
            StandardCharsets.UTF_8);
    Sipp.Result displayed = Sipp.scenario("send-imdn-deflated.xml", server.sipPort()).key("domain", server.domain())
        .key("from", "bob").key("to", "alice")
        .file("imdn.deflate", ImdnTest.deflate(displayedCpim.getBytes(StandardCharsets.UTF_8), false))
        .auth("bob", "bob-sip-secret").run();
    assertTrue(displayed.passed(), displayed::toString);
    assertEquals(200, SippTrace.lastStatus(displayed.messages()), displayed::toString);
    assertTrue(SippTrace.sent(displayed.messages(), "MESSAGE").get(1).headers().contains("Content-Encoding: deflate"));

    // alice's client gets both, in CPIM, about imdn-1, from bob
    List<SippTrace.Message> atAlice = received(alicePhone.await());
    assertEquals(2, atAlice.size());
    List<Imdn> notes = atAlice.stream().map(m -> {
      assertEquals("message/cpim", m.header("Content-Type").toLowerCase());
      assertTrue(m.header("From").contains("<sip:bob@" + server.domain() + ">"), m.header("From"));
      Cpim cpim = Cpim.parse(m.body().getBytes(StandardCharsets.UTF_8));
      assertEquals(Imdn.CONTENT_TYPE, cpim.contentType());
      return Imdn.parse(cpim.body());
    }).toList();
    assertTrue(notes.contains(new Imdn("imdn-1", "2026-11-30T10:00:05Z", Imdn.Kind.DELIVERY, "delivered")), notes::toString);
    assertTrue(notes.contains(new Imdn("imdn-1", "2026-11-30T10:00:09Z", Imdn.Kind.DISPLAY, "displayed")), notes::toString);

    // the store has both on the original, and the notifications were not stored as messages
    Document original = message(Filters.eq("imdnId", "imdn-1"));
    Document receipts = original.get("receipts", Document.class);
    assertNotNull(receipts.getDate("delivered"), original::toJson);
    assertNotNull(receipts.getDate("displayed"), original::toJson);
    assertNotNull(original.getDate("displayedAt"), original::toJson);
    assertEquals(1, count(), "only the message itself is in the store");
  }

  @Test
  void switchboardSaysDeliveredForATextPhoneAndDisplayedForTheConsole() throws Exception {
    int alicePort = FreePorts.udpAndTcp();
    int bobPort = FreePorts.udpAndTcp();
    Sipp.Running alicePhone = Sipp.device("receive-message.xml", alicePort, 2).start();
    Sipp.Running bobPhone = Sipp.device("receive-message.xml", bobPort, 1).start();
    register("alice", "alice-soft", alicePort, "message/cpim, text/plain");
    register("bob", "bob-desk", bobPort, "text/plain"); // a desk phone: never sees the request, never answers it

    Promise<JsonObject> seenEvent = Promise.promise();
    vertx.eventBus().<JsonObject>consumer(EventAddresses.IM_STATE, m -> {
      if (m.body().getString("displayedAt") != null) {
        seenEvent.tryComplete(m.body());
      }
    }).completion().await();

    assertEquals(200, SippTrace.lastStatus(sendCpim("alice", "bob", "imdn-2").messages()));
    SippTrace.Message atBob = received(bobPhone.await()).get(0);
    assertTrue(atBob.header("Content-Type").toLowerCase().startsWith("text/plain"));

    String id = message(Filters.eq("imdnId", "imdn-2")).getString("_id");
    // someone else may not mark it seen; bob (his console showed it) may
    ReplyException notHis = assertThrowsReply(() -> vertx.eventBus().request(EventAddresses.IM_SEEN,
        new ImSeen(Caller.user("alice"), id).toJson()).await());
    assertEquals(404, notHis.failureCode());
    JsonObject seen = (JsonObject) vertx.eventBus().request(EventAddresses.IM_SEEN,
        new ImSeen(Caller.user("bob"), id).toJson()).await().body();
    assertNotNull(seen.getString("displayedAt"));
    assertEquals(id, seenEvent.future().await(10, TimeUnit.SECONDS).getString("id"));

    List<SippTrace.Message> atAlice = received(alicePhone.await());
    assertEquals(2, atAlice.size());
    List<Imdn> notes = atAlice.stream().map(m -> Imdn.parse(Cpim.parse(m.body().getBytes(StandardCharsets.UTF_8))
        .body())).toList();
    assertEquals(List.of(Imdn.Kind.DELIVERY, Imdn.Kind.DISPLAY), notes.stream().map(Imdn::kind).toList());
    assertEquals(List.of("delivered", "displayed"), notes.stream().map(Imdn::status).toList());
    assertTrue(notes.stream().allMatch(n -> n.messageId().equals("imdn-2")), notes::toString);

    Document receipts = message(Filters.eq("imdnId", "imdn-2")).get("receipts", Document.class);
    assertNotNull(receipts.getDate("delivered"));
    assertNotNull(receipts.getDate("displayed"));
  }

  @Test
  void aMessageAskingForNothingGetsNoNotification() throws Exception {
    int alicePort = FreePorts.udpAndTcp();
    int bobPort = FreePorts.udpAndTcp();
    Sipp.Running alicePhone = Sipp.device("receive-message.xml", alicePort, 1).start();
    Sipp.Running bobPhone = Sipp.device("receive-message.xml", bobPort, 1).start();
    register("alice", "alice-soft", alicePort, "message/cpim, text/plain");
    register("bob", "bob-desk", bobPort, "text/plain");

    Sipp.Result sent = Sipp.scenario("send-cpim-imdn.xml", server.sipPort()).key("domain", server.domain())
        .key("from", "alice").key("to", "bob").key("msgid", "imdn-3").key("notify", "negative-delivery")
        .key("body", "no news is good news").auth("alice", "alice-sip-secret").run();
    assertEquals(200, SippTrace.lastStatus(sent.messages()));
    received(bobPhone.await());
    String id = message(Filters.eq("imdnId", "imdn-3")).getString("_id");
    vertx.eventBus().request(EventAddresses.IM_SEEN, new ImSeen(Caller.user("bob"), id).toJson()).await();
    // Then a plain message from bob: the first (and only) thing alice's client receives
    Sipp.Result text = Sipp.scenario("send-message.xml", server.sipPort()).key("domain", server.domain())
        .key("from", "bob").key("to", "alice").key("ctype", "text/plain;charset=UTF-8").key("body", "marker")
        .auth("bob", "bob-sip-secret").run();
    assertEquals(200, SippTrace.lastStatus(text.messages()));
    List<SippTrace.Message> atAlice = received(alicePhone.await());
    assertEquals("marker", atAlice.get(0).body().strip(), "no delivery or display notification came first");
    Document receipts = message(Filters.eq("imdnId", "imdn-3")).get("receipts", Document.class);
    assertNull(receipts.getDate("delivered"));
    assertNotNull(receipts.getDate("displayed"), "seen all the same, for the console");
  }

  @Test
  void aStoredMessageThatExpiresGetsItsNegativeDeliveryNotification() throws Exception {
    int alicePort = FreePorts.udpAndTcp();
    Sipp.Running alicePhone = Sipp.device("receive-message.xml", alicePort, 1).start();
    register("alice", "alice-soft", alicePort, "message/cpim, text/plain");

    // bob has no device: stored (202); a week and a day later it expires
    assertEquals(202, SippTrace.lastStatus(sendCpim("alice", "bob", "imdn-4").messages()));
    String id = message(Filters.eq("imdnId", "imdn-4")).getString("_id");
    vertx.executeBlocking(() -> server.store.database().getCollection("messages").updateOne(Filters.eq("_id", id),
        com.mongodb.client.model.Updates.set("createdAt", java.util.Date.from(java.time.Instant.now()
            .minus(java.time.Duration.ofDays(8)))))).await();
    im.storedDelivery().expire().await();

    SippTrace.Message note = received(alicePhone.await()).get(0);
    Imdn failed = Imdn.parse(Cpim.parse(note.body().getBytes(StandardCharsets.UTF_8)).body());
    assertEquals("imdn-4", failed.messageId());
    assertEquals(Imdn.Kind.DELIVERY, failed.kind());
    assertEquals("failed", failed.status());
    Document stored = message(Filters.eq("imdnId", "imdn-4"));
    assertEquals("EXPIRED", stored.getString("state"));
    assertNotNull(stored.get("receipts", Document.class).getDate("failed"));
  }

  private static ReplyException assertThrowsReply(org.junit.jupiter.api.function.Executable call) {
    return org.junit.jupiter.api.Assertions.assertThrows(ReplyException.class, call);
  }

  private Sipp.Result sendCpim(String from, String to, String msgid) throws Exception {
    Sipp.Result r = Sipp.scenario("send-cpim-imdn.xml", server.sipPort()).key("domain", server.domain())
        .key("from", from).key("to", to).key("msgid", msgid).key("notify", ASK_ALL).key("body", "receipts, please")
        .auth(from, from + "-sip-secret").run();
    assertTrue(r.passed(), r::toString);
    return r;
  }

  private void register(String user, String contact, int devicePort, String accept) throws Exception {
    Sipp.Result r = Sipp.scenario("register-device.xml", server.sipPort()).key("domain", server.domain())
        .key("aor", user).key("contact", contact).key("device", "127.0.0.1:" + devicePort).key("accept", accept)
        .auth(user, user + "-sip-secret").run();
    assertTrue(r.passed(), r::toString);
  }

  private static List<SippTrace.Message> received(Sipp.Result device) {
    assertTrue(device.passed(), device::toString);
    return SippTrace.received(device.messages(), "MESSAGE");
  }

  private Document message(org.bson.conversions.Bson filter) {
    Document d = vertx.executeBlocking(() -> server.store.database().getCollection("messages").find(filter).first())
        .await();
    assertNotNull(d, "in the store");
    assertFalse(d.isEmpty());
    return d;
  }

  private long count() {
    return vertx.executeBlocking(() -> server.store.database().getCollection("messages").countDocuments()).await();
  }
}
