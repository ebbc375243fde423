package io.switchboard.presence;

import io.switchboard.api.Caller;
import io.switchboard.api.presence.RulesRequest;
import io.switchboard.api.presence.WatcherRule;
import io.switchboard.api.presence.PresenceSet;
import io.switchboard.api.presence.BuddiesRequest;
import io.switchboard.api.presence.PendingQuery;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.CallStateEvent;
import io.switchboard.api.EventAddresses;
import io.switchboard.core.testing.SipTestServer;
import io.switchboard.core.testing.RawSip;
import io.switchboard.core.testing.Sipp;
import io.switchboard.core.testing.SippTrace;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/**
 * SUBSCRIBE/NOTIFY presence with SIPp as the watcher's phone: what each watcher sees on the wire
 * as devices register, states are set by hand, calls start and rules change.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
class PresenceTest {

  private Vertx vertx;
  private SipTestServer server;

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) throws Exception {
    this.vertx = vertx;
    server = new SipTestServer(vertx, dir, Map.of("presence.min-expires", "1"));
    PresenceService[] presence = new PresenceService[1];
    server.beforeSipStart.add(t -> presence[0] = new PresenceService(vertx, t.config, t.health, t.users, t.sip, t.store));
    server.start().await();
    presence[0].start().await();
    for (String[] u : new String[][] {{"alice", "1001"}, {"bob", "1002"}, {"carol", "1003"}, {"dave", "1004"}}) {
      server.createUser(u[0], u[1], u[0] + "-sip-secret").await();
    }
  }

  @AfterEach
  void stop() {
    server.stop().await();
  }

  private Sipp watcher(String scenario, String from, String to, int expires) {
    return watcher(scenario, from, to, expires, "presence", "application/pidf+xml");
  }

  private Sipp watcher(String scenario, String from, String to, int expires, String event, String accept) {
    return Sipp.scenario(scenario, server.sipPort()).key("domain", server.domain()).key("from", from).key("to", to)
        .key("expires", String.valueOf(expires)).key("event", event).key("accept", accept)
        .auth(from, from + "-sip-secret");
  }

  private JsonObject ask(String address, JsonObject body) {
    return vertx.eventBus().<JsonObject>request(address, body).await().body();
  }

  /** Completes with the n-th NOTIFY, counted from this call, that {@code watcher} acknowledged for {@code presentity}. */
  private Promise<JsonObject> notified(String watcher, String presentity, int n) {
    Promise<JsonObject> p = Promise.promise();
    AtomicInteger seen = new AtomicInteger();
    vertx.eventBus().<JsonObject>consumer(EventAddresses.PRESENCE_NOTIFIED, m -> {
      if (m.body().getString("watcher").equals(watcher) && m.body().getString("presentity").equals(presentity)
          && seen.incrementAndGet() == n) {
        p.tryComplete(m.body());
      }
    });
    return p;
  }

  private void registerBob() throws Exception {
    Sipp.Result r = Sipp.scenario("register.xml", server.sipPort()).key("domain", server.domain()).key("aor", "bob")
        .key("contact", "bob-desk").key("expires", "300").auth("bob", "bob-sip-secret").run();
    assertTrue(r.passed(), r::toString);
  }

  private static List<SippTrace.Message> notifies(Sipp.Result r) {
    assertTrue(r.passed(), r::toString);
    return SippTrace.received(r.messages(), "NOTIFY");
  }

  /** Parses the PIDF (so it must be well-formed) and returns basic, activity and note. */
  static String[] pidf(String body) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    Document d = f.newDocumentBuilder().parse(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
    String pidf = "urn:ietf:params:xml:ns:pidf";
    assertEquals("presence", d.getDocumentElement().getLocalName());
    assertEquals(pidf, d.getDocumentElement().getNamespaceURI());
    String basic = d.getElementsByTagNameNS(pidf, "basic").item(0).getTextContent();
    var activities = d.getElementsByTagNameNS("urn:ietf:params:xml:ns:pidf:rpid", "activities");
    String activity = activities.getLength() == 0 ? null
        : activities.item(0).getFirstChild().getLocalName();
    var notes = d.getElementsByTagNameNS(pidf, "note");
    return new String[] {basic, activity, notes.getLength() == 0 ? null : notes.item(0).getTextContent(),
        d.getDocumentElement().getAttribute("entity"),
        d.getElementsByTagNameNS(pidf, "contact").item(0).getTextContent()};
  }

  @Test
  void aBuddySeesDevicesComeAndTheEndOfTheSubscription() throws Exception {
    ask(EventAddresses.PRESENCE_BUDDIES, BuddiesRequest.add(Caller.user("bob"), "alice", null, null).toJson());
    Promise<JsonObject> first = notified("alice", "bob", 1);
    Sipp.Running alice = watcher("watch-2-then-unsubscribe.xml", "alice", "bob", 600).start();
    assertEquals("active", first.future().await(20, TimeUnit.SECONDS).getString("state"));
    registerBob();

    List<SippTrace.Message> got = notifies(alice.await());
    assertEquals(3, got.size());
    String[] offline = pidf(got.get(0).body());
    assertEquals("closed", offline[0]);
    assertEquals("sip:bob@switchboard.test", offline[3], "the entity is the presentity");
    assertEquals("sip:bob@switchboard.test", offline[4], "so is the contact, not the watcher");
    assertTrue(got.get(0).header("Subscription-State").startsWith("active;expires="), got.get(0).headers());
    assertEquals("presence", got.get(0).header("Event"));
    assertEquals("application/pidf+xml", got.get(0).header("Content-Type"));
    assertEquals("open", pidf(got.get(1).body())[0]);
    assertTrue(got.get(2).header("Subscription-State").startsWith("terminated"), got.get(2).headers());
  }

  @Test
  void manualStateThenACallThenDoNotDisturb() throws Exception {
    ask(EventAddresses.PRESENCE_RULES,
        RulesRequest.put(Caller.user("bob"), List.of(new WatcherRule("alice", "allow"))).toJson());
    registerBob();
    Promise<JsonObject> first = notified("alice", "bob", 1);
    Promise<JsonObject> second = notified("alice", "bob", 2);
    Promise<JsonObject> third = notified("alice", "bob", 3);
    Sipp.Running alice = watcher("watch-4-then-unsubscribe.xml", "alice", "bob", 600).start();
    assertEquals("available", first.future().await(20, TimeUnit.SECONDS).getJsonObject("presence").getString("state"));

    ask(EventAddresses.PRESENCE_SET, new PresenceSet(Caller.user("bob"), "away", "lunch", null).toJson());
    second.future().await(20, TimeUnit.SECONDS);
    vertx.eventBus().publish(EventAddresses.CALL_STATE,
        new CallStateEvent("bob", CallStateEvent.State.IN_CALL, "1001").toJson());
    third.future().await(20, TimeUnit.SECONDS);
    ask(EventAddresses.PRESENCE_SET, new PresenceSet(Caller.user("bob"), "dnd", null, null).toJson());

    List<SippTrace.Message> got = notifies(alice.await());
    assertEquals(5, got.size());
    String[] away = pidf(got.get(1).body());
    assertEquals("away", away[1]);
    assertEquals("lunch", away[2]);
    assertEquals("on-the-phone", pidf(got.get(2).body())[1], "a call beats away");
    String[] dnd = pidf(got.get(3).body());
    assertEquals("busy", dnd[1], "do not disturb beats on the phone");
    assertEquals("Do not disturb", dnd[2]);
  }

  @Test
  void strangersWaitForConfirmationAndRuleChangesReachLiveSubscriptions() throws Exception {
    registerBob();
    Promise<JsonObject> pending = notified("carol", "bob", 1);
    Promise<JsonObject> allowed = notified("carol", "bob", 2);
    Promise<JsonObject> polite = notified("carol", "bob", 3);
    Sipp.Running carol = watcher("watch-4.xml", "carol", "bob", 600).start();
    JsonObject p = pending.future().await(20, TimeUnit.SECONDS);
    assertEquals("pending", p.getString("state"));
    assertNull(p.getValue("presence"));
    JsonArray waiting = ask(EventAddresses.PRESENCE_PENDING, new PendingQuery(Caller.user("bob")).toJson()).getJsonArray("pending");
    assertEquals("carol", waiting.getJsonObject(0).getString("watcher"));

    putRule("bob", "carol", "allow");
    assertEquals("available", allowed.future().await(20, TimeUnit.SECONDS).getJsonObject("presence").getString("state"));
    assertTrue(ask(EventAddresses.PRESENCE_PENDING, new PendingQuery(Caller.user("bob")).toJson()).getJsonArray("pending").isEmpty());
    putRule("bob", "carol", "polite-block");
    assertEquals("offline", polite.future().await(20, TimeUnit.SECONDS).getJsonObject("presence").getString("state"));
    putRule("bob", "carol", "block");

    List<SippTrace.Message> got = notifies(carol.await());
    assertTrue(got.get(0).header("Subscription-State").startsWith("pending"), got.get(0).headers());
    assertEquals("", got.get(0).body(), "a pending watcher learns nothing");
    assertEquals("open", pidf(got.get(1).body())[0]);
    assertEquals("closed", pidf(got.get(2).body())[0], "polite-block: offline, though bob is registered");
    assertEquals("terminated;reason=rejected", got.get(3).header("Subscription-State").replace(" ", ""));
  }

  @Test
  void blockedWatchersAreRefusedAndSubscriptionsExpire() throws Exception {
    putRule("bob", "dave", "block");
    Sipp.Result refused = watcher("subscribe-refused.xml", "dave", "bob", 600).run();
    assertTrue(refused.passed(), refused::toString);
    assertEquals(403, SippTrace.lastStatus(refused.messages()));

    putRule("bob", "alice", "allow");
    Sipp.Result expired = watcher("watch-2.xml", "alice", "bob", 2).run();
    assertTrue(expired.passed(), expired::toString);
    List<SippTrace.Message> got = SippTrace.received(expired.messages(), "NOTIFY");
    assertTrue(got.get(0).header("Subscription-State").startsWith("active;expires="));
    assertEquals("terminated;reason=timeout", got.get(1).header("Subscription-State").replace(" ", ""));
  }

  @Test
  void aWatcherThatAnswers481IsDropped() throws Exception {
    putRule("bob", "alice", "allow");
    Promise<JsonObject> first = notified("alice", "bob", 1);
    Promise<JsonObject> gone = Promise.promise();
    vertx.eventBus().<JsonObject>consumer(EventAddresses.PRESENCE_WATCHER, m -> {
      if ("terminated".equals(m.body().getString("state"))) {
        gone.tryComplete(m.body());
      }
    });
    Sipp.Running alice = watcher("watch-then-481.xml", "alice", "bob", 600).start();
    first.future().await(20, TimeUnit.SECONDS);
    registerBob();
    assertEquals("alice", gone.future().await(20, TimeUnit.SECONDS).getString("watcher"));
    assertTrue(alice.await().passed());
  }

  @Test
  void watcherInfoTellsTheUserWhoIsWatchingAndWhoAsks() throws Exception {
    putRule("bob", "alice", "allow");
    // counted from now: the n-th NOTIFY bob's phone acknowledges
    Promise<JsonObject> initial = notifiedPackage("bob", "presence.winfo", 1);
    Promise<JsonObject> aliceSeen = notifiedPackage("bob", "presence.winfo", 2);
    Promise<JsonObject> carolSeen = notifiedPackage("bob", "presence.winfo", 3);
    Promise<JsonObject> carolGone = notifiedPackage("bob", "presence.winfo", 4);
    Sipp.Running bob = watcher("watch-4-then-unsubscribe.xml", "bob", "bob", 600, "presence.winfo",
        "application/watcherinfo+xml").start();
    initial.future().await(20, TimeUnit.SECONDS);
    Sipp.Running alice = watcher("watch-2-then-unsubscribe.xml", "alice", "bob", 600).start();
    aliceSeen.future().await(20, TimeUnit.SECONDS);
    Sipp.Running carol = watcher("watch-2.xml", "carol", "bob", 600).start(); // pending, then rejected
    carolSeen.future().await(20, TimeUnit.SECONDS);
    // PUT replaces bob's whole set: alice stays allowed, carol is blocked, which ends her pending watch
    ask(EventAddresses.PRESENCE_RULES, RulesRequest.put(Caller.user("bob"),
        List.of(new WatcherRule("alice", "allow"), new WatcherRule("carol", "block"))).toJson());
    carolGone.future().await(20, TimeUnit.SECONDS); // bob's phone now ends its own watch
    registerBob(); // alice's second NOTIFY, and alice is done too

    List<SippTrace.Message> got = notifies(bob.await());
    assertEquals("application/watcherinfo+xml", got.get(0).header("Content-Type"));
    assertTrue(got.get(0).body().contains("version=\"0\"") && !got.get(0).body().contains("<watcher "), got.get(0).body());
    assertTrue(got.get(1).body().contains("status=\"active\">sip:alice@switchboard.test</watcher>"), got.get(1).body());
    assertTrue(got.get(2).body().contains("status=\"pending\">sip:carol@switchboard.test</watcher>"), got.get(2).body());
    assertTrue(!got.get(3).body().contains("carol") && got.get(3).body().contains("status=\"active\">sip:alice"),
        got.get(3).body());
    assertTrue(alice.await().passed());
    assertTrue(carol.await().passed());
    Sipp.Result nosy = watcher("subscribe-refused.xml", "alice", "bob", 600, "presence.winfo",
        "application/watcherinfo+xml").run();
    assertTrue(nosy.passed(), "only bob may see who watches bob: " + nosy);
  }

  @Test
  void blfKeysSeeCallsAsDialogs() throws Exception {
    putRule("bob", "alice", "allow");
    Promise<JsonObject> first = notifiedPackage("alice", "dialog", 1);
    Promise<JsonObject> second = notifiedPackage("alice", "dialog", 2);
    Promise<JsonObject> third = notifiedPackage("alice", "dialog", 3);
    Sipp.Running blf = watcher("watch-4-then-unsubscribe.xml", "alice", "1002", 600, "dialog",
        "application/dialog-info+xml").start();
    first.future().await(20, TimeUnit.SECONDS);
    vertx.eventBus().publish(EventAddresses.CALL_STATE, new CallStateEvent("bob", CallStateEvent.State.RINGING, null).toJson());
    second.future().await(20, TimeUnit.SECONDS);
    vertx.eventBus().publish(EventAddresses.CALL_STATE, new CallStateEvent("bob", CallStateEvent.State.IN_CALL, "1001").toJson());
    third.future().await(20, TimeUnit.SECONDS);
    vertx.eventBus().publish(EventAddresses.CALL_STATE, new CallStateEvent("bob", CallStateEvent.State.IDLE, null).toJson());

    List<SippTrace.Message> got = notifies(blf.await());
    assertEquals("application/dialog-info+xml", got.get(0).header("Content-Type"));
    assertEquals("dialog", got.get(0).header("Event"));
    assertTrue(!got.get(0).body().contains("<dialog "), "idle: no dialog");
    assertTrue(got.get(1).body().contains("<state>early</state>") && got.get(1).body().contains("recipient"), got.get(1).body());
    assertTrue(got.get(2).body().contains("<state>confirmed</state>"), got.get(2).body());
    assertTrue(!got.get(3).body().contains("<dialog "), got.get(3).body());
    assertTrue(got.get(3).body().contains("version=\"3\""), "versions count up: " + got.get(3).body());
  }

  @Test
  void aDevicePublishesItsStateThenRefreshesAndRemovesIt() throws Exception {
    putRule("bob", "alice", "allow");
    Promise<JsonObject> initial = notified("alice", "bob", 1);
    Promise<JsonObject> published = notified("alice", "bob", 2);
    Promise<JsonObject> removed = notified("alice", "bob", 3);
    Sipp.Running alice = watcher("watch-3-then-unsubscribe.xml", "alice", "bob", 600).start();
    assertEquals("offline", initial.future().await(20, TimeUnit.SECONDS).getJsonObject("presence").getString("state"));

    Sipp.Result pub = Sipp.scenario("publish.xml", server.sipPort()).key("domain", server.domain()).key("from", "bob")
        .key("activity", "meeting").key("note", "Quarterly review").auth("bob", "bob-sip-secret").run();
    assertTrue(pub.passed(), pub::toString);
    JsonObject busy = published.future().await(20, TimeUnit.SECONDS).getJsonObject("presence");
    assertEquals("busy", busy.getString("state"), "a published meeting makes bob busy, though no device registered");
    assertEquals("Quarterly review", busy.getString("note"));
    String etag = SippTrace.parse(pub.messages()).stream().filter(m -> m.startLine().startsWith("SIP/2.0 200"))
        .findFirst().orElseThrow().header("SIP-ETag");

    Sipp.Result rest = Sipp.scenario("publish-refresh-remove.xml", server.sipPort()).key("domain", server.domain())
        .key("from", "bob").key("etag", etag).auth("bob", "bob-sip-secret").run();
    assertTrue(rest.passed(), rest::toString);
    assertEquals("offline", removed.future().await(20, TimeUnit.SECONDS).getJsonObject("presence").getString("state"));
    List<SippTrace.Message> got = notifies(alice.await());
    assertTrue(got.get(1).body().contains("<rpid:busy/>"), got.get(1).body());
    assertEquals(4, got.size(), "the refresh changed nothing, so it sent nothing");
  }

  /**
   * A PUBLISH over UDP has no server transaction: a retransmission (the same Call-ID, CSeq and Via branch,
   * after a lost 200) gets the first 200 again, byte for byte (the same SIP-ETag), not a second publication.
   */
  @Test
  void aRetransmittedPublishGetsTheFirstAnswerAgain() throws Exception {
    try (RawSip raw = new RawSip(server.sipPort())) {
      raw.timeout(5000);
      String body = "<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:bob@" + server.domain() + "'>"
          + "<tuple id='t'><status><basic>open</basic></status><note>Back soon</note></tuple></presence>";
      String publish = """
          PUBLISH sip:bob@%s SIP/2.0
          Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%s;rport
          Max-Forwards: 70
          From: <sip:bob@%s>;tag=pub
          To: <sip:bob@%s>
          Call-ID: retransmitted-publish@127.0.0.1
          CSeq: %d PUBLISH
          Event: presence
          Expires: 600
          Content-Type: application/pidf+xml
          %sContent-Length: %d

          %s""";
      String d = server.domain();
      int port = raw.localPort();
      raw.send(publish.formatted(d, port, "p1", d, d, 1, "", body.length(), body));
      String challenge = raw.receiveFinal();
      assertEquals(407, RawSip.status(challenge), challenge);
      String nonce = RawSip.param(challenge, "Proxy-Authenticate: Digest", "nonce");
      String credentials = RawSip.digestAuthorization("bob", d, "bob-sip-secret", nonce, "00000001", "PUBLISH",
          "sip:bob@" + d).replace("Authorization:", "Proxy-Authorization:");
      String request = publish.formatted(d, port, "p2", d, d, 2, credentials, body.length(), body);
      raw.send(request);
      String first = raw.receiveFinal();
      assertEquals(200, RawSip.status(first), first);
      assertNotNull(RawSip.header(first, "SIP-ETag"), first);
      raw.send(request);
      assertEquals(first, raw.receiveFinal(), "the same answer, the same entity tag");
    }
  }

  @Test
  void publishingSomeoneElsesPresenceIsForbidden() throws Exception {
    Sipp.Result r = Sipp.scenario("publish.xml", server.sipPort()).key("domain", server.domain()).key("from", "bob")
        .key("activity", "away").key("note", "x").auth("alice", "alice-sip-secret").run();
    assertEquals(403, SippTrace.lastStatus(r.messages()), r::toString);
  }

  @Test
  void anInDialogRefreshIsAnsweredWithTheState() throws Exception {
    putRule("bob", "alice", "allow");
    Sipp.Result r = watcher("watch-refresh.xml", "alice", "bob", 300).run();
    List<SippTrace.Message> got = notifies(r);
    assertEquals(3, got.size());
    assertTrue(got.get(1).header("Subscription-State").startsWith("active;expires="), got.get(1).headers());
    assertTrue(got.get(2).header("Subscription-State").startsWith("terminated"), got.get(2).headers());
    assertEquals(List.of("1 NOTIFY", "2 NOTIFY", "3 NOTIFY"), got.stream().map(m -> m.header("CSeq")).toList(),
        "one dialog, CSeq counting up");
  }

  @Test
  void unknownEventPackagesAre489() throws Exception {
    Sipp.Result r = Sipp.scenario("subscribe-refused.xml", server.sipPort())
        .key("domain", server.domain()).key("from", "alice").key("to", "bob").key("expires", "600")
        .key("event", "message-summary").key("accept", "application/simple-message-summary")
        .auth("alice", "alice-sip-secret").run();
    assertEquals(489, SippTrace.lastStatus(r.messages()), r::toString);
    assertTrue(r.messages().contains("Allow-Events: presence, presence.winfo, dialog"), r::toString);
  }

  private Promise<JsonObject> notifiedPackage(String watcher, String pkg, int n) {
    Promise<JsonObject> p = Promise.promise();
    AtomicInteger seen = new AtomicInteger();
    vertx.eventBus().<JsonObject>consumer(EventAddresses.PRESENCE_NOTIFIED, m -> {
      if (m.body().getString("watcher").equals(watcher) && pkg.equals(m.body().getString("package"))
          && seen.incrementAndGet() == n) {
        p.tryComplete(m.body());
      }
    });
    return p;
  }

  private void putRule(String user, String watcher, String action) {
    ask(EventAddresses.PRESENCE_RULES,
        RulesRequest.put(Caller.user(user), List.of(new WatcherRule(watcher, action))).toJson());
  }
}
