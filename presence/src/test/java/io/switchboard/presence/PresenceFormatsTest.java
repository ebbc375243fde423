package io.switchboard.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.CallStateEvent;
import io.switchboard.api.Caller;
import io.switchboard.api.EventAddresses;
import io.switchboard.api.presence.PresenceSet;
import io.switchboard.api.presence.RulesRequest;
import io.switchboard.api.presence.WatcherRule;
import io.switchboard.core.model.Device;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.SipTestServer;
import io.switchboard.core.testing.Sipp;
import io.switchboard.core.testing.SippTrace;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
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
 * The presence formats on the wire: SIPp watchers whose SUBSCRIBEs accept XPIDF, cpim-pidf, plain
 * PIDF, or PIDF next to an older format each get every change in their own format, parsed and
 * checked (XPIDF against its DTD, the others against RFC 3863's schema); and Linphone's
 * do-not-disturb, published while bob's phone is registered, reaches them as do-not-disturb.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 240, timeUnit = TimeUnit.SECONDS)
class PresenceFormatsTest {

  private static final String XPIDF = "application/xpidf+xml";
  private static final String CPIM = "application/cpim-pidf+xml";
  private static final String PIDF = "application/pidf+xml";
  private static final String OLDER_PHONE = "application/pidf+xml, application/xpidf+xml";

  private Vertx vertx;
  private SipTestServer server;

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) throws Exception {
    this.vertx = vertx;
    server = new SipTestServer(vertx, dir, Map.of("presence.min-expires", "1"));
    PresenceService[] presence = new PresenceService[1];
    server.beforeSipStart.add(t -> presence[0] = new PresenceService(vertx, t.config, t.health, t.users, t.sip, t.store,
        t.devices));
    server.start().await();
    presence[0].start().await();
    for (String[] u : new String[][] {{"alice", "1001"}, {"bob", "1002"}, {"carol", "1003"}, {"dave", "1004"},
        {"erin", "1005"}}) {
      server.createUser(u[0], u[1], u[0] + "-sip-secret").await();
    }
    vertx.eventBus().<JsonObject>request(EventAddresses.PRESENCE_RULES,
        RulesRequest.put(Caller.user("bob"), List.of(new WatcherRule("*", "allow"))).toJson()).await();
  }

  @AfterEach
  void stop() {
    server.stop().await();
  }

  private Sipp watcher(String scenario, String from, String accept) {
    return Sipp.scenario(scenario, server.sipPort()).key("domain", server.domain()).key("from", from).key("to", "bob")
        .key("expires", "600").key("event", "presence").key("accept", accept).auth(from, from + "-sip-secret");
  }

  private void registerBob() throws Exception {
    Sipp.Result r = Sipp.scenario("register.xml", server.sipPort()).key("domain", server.domain()).key("aor", "bob")
        .key("contact", "bob-desk").key("expires", "300").auth("bob", "bob-sip-secret").run();
    assertTrue(r.passed(), r::toString);
  }

  /** Completes with the n-th NOTIFY, counted from this call, that {@code watcher} acknowledged for bob. */
  private Future<JsonObject> notified(String watcher, int n) {
    Promise<JsonObject> p = Promise.promise();
    AtomicInteger seen = new AtomicInteger();
    vertx.eventBus().<JsonObject>consumer(EventAddresses.PRESENCE_NOTIFIED, m -> {
      if (m.body().getString("watcher").equals(watcher) && m.body().getString("presentity").equals("bob")
          && seen.incrementAndGet() == n) {
        p.tryComplete(m.body());
      }
    });
    return p.future();
  }

  private static List<SippTrace.Message> notifies(Sipp.Result r) {
    assertTrue(r.passed(), r::toString);
    return SippTrace.received(r.messages(), "NOTIFY");
  }

  /** Basic status, activity and note of a reduced PIDF (cpim-pidf or plain): valid RFC 3863, no extension. */
  private static String[] reduced(SippTrace.Message m, String type) throws Exception {
    assertEquals(type, m.header("Content-Type"), m.headers());
    PidfTest.validate(m.body().getBytes(StandardCharsets.UTF_8));
    assertFalse(m.body().contains("rpid") || m.body().contains("data-model"), m.body());
    return PresenceTest.pidf(m.body());
  }

  @Test
  void eachWatcherGetsEveryChangeInTheFormatItsPhoneAccepts() throws Exception {
    registerBob();
    Map<String, String> accepts = new LinkedHashMap<>();
    accepts.put("alice", XPIDF);
    accepts.put("carol", CPIM);
    accepts.put("dave", PIDF);
    accepts.put("erin", OLDER_PHONE);
    Map<String, List<Future<JsonObject>>> seen = new LinkedHashMap<>();
    Map<String, Sipp.Running> phones = new LinkedHashMap<>();
    for (var e : accepts.entrySet()) {
      seen.put(e.getKey(), List.of(notified(e.getKey(), 1), notified(e.getKey(), 2), notified(e.getKey(), 3)));
      phones.put(e.getKey(), watcher("watch-3-then-unsubscribe.xml", e.getKey(), e.getValue()).start());
    }
    for (var f : seen.values()) {
      assertEquals("available", f.get(0).await(30, TimeUnit.SECONDS).getJsonObject("presence").getString("state"));
    }
    vertx.eventBus().request(EventAddresses.PRESENCE_SET, new PresenceSet(Caller.user("bob"), "away", "lunch", null).toJson())
        .await();
    for (var f : seen.values()) {
      assertEquals("away", f.get(1).await(30, TimeUnit.SECONDS).getJsonObject("presence").getString("state"));
    }
    vertx.eventBus().publish(EventAddresses.CALL_STATE, new CallStateEvent("bob", CallStateEvent.State.IN_CALL, "1001").toJson());
    for (var f : seen.values()) {
      assertEquals("on-the-phone", f.get(2).await(30, TimeUnit.SECONDS).getJsonObject("presence").getString("state"));
    }

    List<SippTrace.Message> xpidf = notifies(phones.get("alice").await());
    for (int i = 0; i < 3; i++) {
      assertEquals(XPIDF, xpidf.get(i).header("Content-Type"), xpidf.get(i).headers());
    }
    String[] first = XpidfTest.read(xpidf.get(0).body().getBytes(StandardCharsets.UTF_8));
    assertEquals(List.of("open", "online", "sip:bob@switchboard.test;method=SUBSCRIBE"), List.of(first[0], first[1], first[2]));
    String[] away = XpidfTest.read(xpidf.get(1).body().getBytes(StandardCharsets.UTF_8));
    assertEquals(List.of("open", "away"), List.of(away[0], away[1]));
    String[] onThePhone = XpidfTest.read(xpidf.get(2).body().getBytes(StandardCharsets.UTF_8));
    assertEquals(List.of("inuse", "onthephone"), List.of(onThePhone[0], onThePhone[1]));

    for (String[] who : new String[][] {{"carol", CPIM}, {"erin", PIDF}}) {
      List<SippTrace.Message> got = notifies(phones.get(who[0]).await());
      String[] available = reduced(got.get(0), who[1]);
      assertEquals("open", available[0], who[0]);
      assertNull(available[2], who[0]);
      String[] lunch = reduced(got.get(1), who[1]);
      assertEquals(List.of("open", "Away: lunch"), List.of(lunch[0], lunch[2]), who[0]);
      String[] call = reduced(got.get(2), who[1]);
      assertEquals(List.of("closed", "On the phone"), List.of(call[0], call[2]), who[0] + ": closed, as Asterisk says it");
      assertEquals("sip:bob@switchboard.test", call[3]);
    }

    List<SippTrace.Message> full = notifies(phones.get("dave").await());
    assertEquals(PIDF, full.get(0).header("Content-Type"));
    PidfTest.validate(full.get(1).body().getBytes(StandardCharsets.UTF_8));
    assertEquals(List.of("open", "away", "lunch"), List.of(PresenceTest.pidf(full.get(1).body())).subList(0, 3));
    assertEquals("on-the-phone", PresenceTest.pidf(full.get(2).body())[1]);
  }

  @Test
  void linphonesDoNotDisturbWhileRegisteredReachesWatchersAsDoNotDisturb() throws Exception {
    registerBob();
    Future<JsonObject> aliceFirst = notified("alice", 1);
    Future<JsonObject> aliceSecond = notified("alice", 2);
    Future<JsonObject> carolFirst = notified("carol", 1);
    Future<JsonObject> carolSecond = notified("carol", 2);
    Sipp.Running alice = watcher("watch-2-then-unsubscribe.xml", "alice", PIDF).start();
    Sipp.Running carol = watcher("watch-2-then-unsubscribe.xml", "carol", XPIDF).start();
    assertEquals("available", aliceFirst.await(30, TimeUnit.SECONDS).getJsonObject("presence").getString("state"));
    assertEquals("available", carolFirst.await(30, TimeUnit.SECONDS).getJsonObject("presence").getString("state"));

    String body = new String(PublishedDocumentsTest.resource("linphone-5.1-dnd.xml"), StandardCharsets.UTF_8)
        .replaceAll("\\r?\\n\\s*", "");
    Sipp.Result pub = Sipp.scenario("publish-body.xml", server.sipPort()).key("domain", server.domain()).key("from", "bob")
        .key("type", PIDF).key("body", body).auth("bob", "bob-sip-secret").run();
    assertTrue(pub.passed(), pub::toString);
    String sent = SippTrace.sent(pub.messages(), "PUBLISH").get(0).body();
    assertTrue(sent.contains("<basic>closed</basic>") && sent.contains("<rpid:away/>"),
        "the published document went out as Linphone writes it: " + sent);

    JsonObject dnd = aliceSecond.await(30, TimeUnit.SECONDS).getJsonObject("presence");
    assertEquals("dnd", dnd.getString("state"), "not available, though bob's phone is registered");
    assertEquals("Do not disturb", dnd.getString("note"));
    assertEquals("dnd", carolSecond.await(30, TimeUnit.SECONDS).getJsonObject("presence").getString("state"));

    String[] pidf = PresenceTest.pidf(notifies(alice.await()).get(1).body());
    assertEquals(List.of("closed", "busy", "Do not disturb"), List.of(pidf[0], pidf[1], pidf[2]),
        "closed with its activity, as Linphone reads do-not-disturb back; never open");
    String[] xpidf = XpidfTest.read(notifies(carol.await()).get(1).body().getBytes(StandardCharsets.UTF_8));
    assertEquals(List.of("inuse", "busy"), List.of(xpidf[0], xpidf[1]));
  }

  @Test
  void theDeviceProfileChoosesForThePhoneProvisioningKnows() throws Exception {
    // alice's desk phone, provisioned as one that shows XPIDF, registers with its own credentials...
    Instant now = Instant.now();
    server.devices.create(new Device("dev-1", "alice", Device.Kind.DESK_PHONE, "polycom", "SoundPoint IP 550",
        "0004f2aabbcc", "1001", "phone-secret-1", "token-1",
        new Device.Profile(List.of("text/plain", XPIDF), 1024, true, true), now, now)).await();
    int port = FreePorts.udpAndTcp();
    Sipp.Result registered = Sipp.scenario("register.xml", server.sipPort()).key("domain", server.domain())
        .key("aor", "alice").key("contact", "alice-desk").key("expires", "300").localPort(port)
        .auth("1001", "phone-secret-1").run();
    assertTrue(registered.passed(), registered::toString);

    // ...then subscribes from there, its firmware listing PIDF: the profile wins.
    Future<JsonObject> first = notified("alice", 1);
    Sipp.Running phone = watcher("watch-2-then-unsubscribe.xml", "alice", PIDF).localPort(port).start();
    first.await(30, TimeUnit.SECONDS);
    registerBob();
    List<SippTrace.Message> got = notifies(phone.await());
    assertEquals(XPIDF, got.get(0).header("Content-Type"), got.get(0).headers());
    assertEquals("closed", XpidfTest.read(got.get(0).body().getBytes(StandardCharsets.UTF_8))[0]);
    assertEquals("open", XpidfTest.read(got.get(1).body().getBytes(StandardCharsets.UTF_8))[0]);

    // The same user from another phone (no device) gets what its Accept asks for.
    Sipp.Result other = watcher("watch-2.xml", "alice", PIDF).key("expires", "1").run();
    assertEquals(PIDF, notifies(other).get(0).header("Content-Type"));
  }

  @Test
  void aPresenceSubscriptionAcceptingNoFormatOfOursIs406() throws Exception {
    Sipp.Result r = watcher("subscribe-refused.xml", "alice", "application/dialog-info+xml").run();
    assertEquals(406, SippTrace.lastStatus(r.messages()), r::toString);
  }
}
