package io.switchboard.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.CallStateEvent;
import io.switchboard.api.Caller;
import io.switchboard.api.EventAddresses;
import io.switchboard.api.presence.BuddiesRequest;
import io.switchboard.api.presence.PendingQuery;
import io.switchboard.api.presence.PendingWatchers;
import io.switchboard.api.presence.PresenceSet;
import io.switchboard.api.presence.RulesRequest;
import io.switchboard.api.presence.WatcherRule;
import io.switchboard.core.testing.SipTestServer;
import io.switchboard.core.testing.Sipp;
import io.switchboard.core.testing.SippTrace;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
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
 * Buddy lists as resource lists (RFC 4662) on the wire: a SIPp subscriber to alice's list URI gets
 * one dialog whose NOTIFYs carry multipart/related with the RLMI document and a part per buddy,
 * parsed here ({@link RlmiReader}): full state first (version 0), then only the buddies whose view
 * changed, several changes in one NOTIFY within {@code presence.list-min-interval}. Each buddy
 * appears as a single subscription of alice's would show it: bob allows her, carol polite-blocks
 * her (offline while registered), dave blocks her (left out), erin has not decided (pending, then
 * active once she allows).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 240, timeUnit = TimeUnit.SECONDS)
class BuddyListSubscriptionTest {

  private static final String LIST_ACCEPT = "multipart/related, application/rlmi+xml, application/pidf+xml";
  private static final String BLF_ACCEPT = "multipart/related, application/rlmi+xml, application/dialog-info+xml";
  /** Long enough that the changes a test makes right after the first NOTIFY all fall into the next one. */
  private static final String INTERVAL_MS = "8000";

  private Vertx vertx;
  private SipTestServer server;

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) throws Exception {
    this.vertx = vertx;
    server = new SipTestServer(vertx, dir, Map.of("presence.min-expires", "1", "presence.list-min-interval", INTERVAL_MS));
    PresenceService[] presence = new PresenceService[1];
    server.beforeSipStart.add(t -> presence[0] = new PresenceService(vertx, t.config, t.health, t.users, t.sip, t.store,
        t.devices));
    server.start().await();
    presence[0].start().await();
    for (String[] u : new String[][] {{"alice", "1001"}, {"bob", "1002"}, {"carol", "1003"}, {"dave", "1004"},
        {"erin", "1005"}}) {
      server.createUser(u[0], u[1], u[0] + "-sip-secret").await();
    }
    buddy("bob", "Sales Team", "Bob B.");
    buddy("carol", "Sales Team", null);
    buddy("dave", null, null);
    buddy("erin", null, null);
    rule("bob", "allow");
    rule("carol", "polite-block");
    rule("dave", "block");
    // erin: no rule, not her buddy: the default, confirm
  }

  @AfterEach
  void stop() {
    server.stop().await();
  }

  private void buddy(String who, String group, String name) {
    vertx.eventBus().request(EventAddresses.PRESENCE_BUDDIES, BuddiesRequest.add(Caller.user("alice"), who, group, name)
        .toJson()).await();
  }

  private void rule(String presentity, String action) {
    vertx.eventBus().request(EventAddresses.PRESENCE_RULES,
        RulesRequest.put(Caller.user(presentity), List.of(new WatcherRule("alice", action))).toJson()).await();
  }

  private void register(String user) throws Exception {
    Sipp.Result r = Sipp.scenario("register.xml", server.sipPort()).key("domain", server.domain()).key("aor", user)
        .key("contact", user + "-desk").key("expires", "300").auth(user, user + "-sip-secret").run();
    assertTrue(r.passed(), r::toString);
  }

  private Sipp listSubscriber(String scenario, String from, String list, String event, String accept) {
    return Sipp.scenario(scenario, server.sipPort()).key("domain", server.domain()).key("from", from).key("to", list)
        .key("expires", "600").key("event", event).key("accept", accept).key("supported", "eventlist")
        .auth(from, from + "-sip-secret");
  }

  /** Completes when alice acknowledged the list NOTIFY with this RLMI version. */
  private Future<JsonObject> listNotified(long version) {
    Promise<JsonObject> p = Promise.promise();
    vertx.eventBus().<JsonObject>consumer(EventAddresses.PRESENCE_NOTIFIED, m -> {
      if (m.body().getBoolean("list", false) && m.body().getString("watcher").equals("alice")
          && m.body().getLong("version") == version) {
        p.tryComplete(m.body());
      }
    });
    return p.future();
  }

  private static List<SippTrace.Message> notifies(Sipp.Result r) {
    assertTrue(r.passed(), r::toString);
    return SippTrace.received(r.messages(), "NOTIFY");
  }

  private static RlmiReader.ListNotify read(SippTrace.Message m) throws Exception {
    assertEquals("eventlist", m.header("Require"), m.headers());
    return RlmiReader.read(m.header("Content-Type"), m.body());
  }

  private static String[] pidf(RlmiReader.Resource r) throws Exception {
    assertEquals("application/pidf+xml", r.part().contentType(), r.uri());
    PidfTest.validate(r.part().body().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return PresenceTest.pidf(r.part().body());
  }

  @Test
  void theListShowsEachBuddyAsASingleSubscriptionWouldThenOnlyWhatChanged() throws Exception {
    register("bob");
    register("carol");
    Future<JsonObject> full = listNotified(0);
    Future<JsonObject> partial = listNotified(1);
    Sipp.Running alice = listSubscriber("watch-list-2-then-unsubscribe.xml", "alice", "alice-buddies", "presence",
        LIST_ACCEPT).start();
    full.await(30, TimeUnit.SECONDS);
    List<PendingWatchers.Pending> asked = PendingWatchers.fromJson(vertx.eventBus().<JsonObject>request(
        EventAddresses.PRESENCE_PENDING, new PendingQuery(Caller.user("erin")).toJson()).await().body()).pending();
    assertEquals(List.of("alice"), asked.stream().map(PendingWatchers.Pending::watcher).toList(),
        "erin is asked, as by alice's SUBSCRIBE to her");
    // Within one interval: carol (polite-blocked) and dave (blocked) change, which alice cannot see;
    // bob goes to lunch; erin allows alice. One NOTIFY: bob's and erin's.
    // All at once, so that a busy machine still lands them within the interval.
    Future.all(List.of(
        vertx.eventBus().request(EventAddresses.PRESENCE_SET, new PresenceSet(Caller.user("carol"), "away", "out", null)
            .toJson()),
        vertx.eventBus().request(EventAddresses.PRESENCE_SET, new PresenceSet(Caller.user("dave"), "busy", null, null)
            .toJson()),
        vertx.eventBus().request(EventAddresses.PRESENCE_SET, new PresenceSet(Caller.user("bob"), "away", "lunch", null)
            .toJson()),
        vertx.eventBus().request(EventAddresses.PRESENCE_RULES,
            RulesRequest.put(Caller.user("erin"), List.of(new WatcherRule("alice", "allow"))).toJson()))).await();
    JsonObject second = partial.await(30, TimeUnit.SECONDS);
    assertEquals(List.of("bob", "erin"), second.getJsonArray("resources").getList());

    List<SippTrace.Message> got = notifies(alice.await());
    assertEquals(3, got.size(), "full state, one partial, the end");
    RlmiReader.ListNotify first = read(got.get(0));
    assertEquals("presence", got.get(0).header("Event"));
    assertEquals("sip:alice-buddies@switchboard.test", first.uri());
    assertEquals(0, first.version());
    assertTrue(first.fullState());
    assertEquals(List.of("sip:bob@switchboard.test", "sip:carol@switchboard.test", "sip:erin@switchboard.test"),
        first.uris(), "dave, who blocks alice, is left out");
    RlmiReader.Resource bob = first.resource("sip:bob@switchboard.test");
    assertEquals("Bob B.", bob.name());
    assertEquals("active", bob.state());
    assertEquals("open", pidf(bob)[0]);
    assertEquals("sip:bob@switchboard.test", pidf(bob)[3]);
    RlmiReader.Resource carol = first.resource("sip:carol@switchboard.test");
    assertEquals("active", carol.state());
    assertEquals("closed", pidf(carol)[0], "polite-block: offline, though carol's phone is registered");
    RlmiReader.Resource erin = first.resource("sip:erin@switchboard.test");
    assertEquals("pending", erin.state());
    assertNull(erin.part(), "no state before erin decides");

    RlmiReader.ListNotify next = read(got.get(1));
    assertEquals(1, next.version());
    assertEquals(false, next.fullState());
    assertEquals(List.of("sip:bob@switchboard.test", "sip:erin@switchboard.test"), next.uris(), "only what changed");
    String[] lunch = pidf(next.resource("sip:bob@switchboard.test"));
    assertEquals(List.of("open", "away", "lunch"), List.of(lunch[0], lunch[1], lunch[2]));
    assertEquals(bob.instanceId(), next.resource("sip:bob@switchboard.test").instanceId(), "the same instance");
    RlmiReader.Resource erinNow = next.resource("sip:erin@switchboard.test");
    assertEquals("active", erinNow.state());
    assertEquals("closed", pidf(erinNow)[0], "erin has no device");

    assertTrue(got.get(2).header("Subscription-State").startsWith("terminated"), got.get(2).headers());
  }

  @Test
  void aGroupsBlfListShowsTheLatestCallStateOnceWithinTheInterval() throws Exception {
    Future<JsonObject> full = listNotified(0);
    Future<JsonObject> partial = listNotified(1);
    // As a desk phone lists it, among its other option tags.
    Sipp.Running alice = listSubscriber("watch-list-2-then-unsubscribe.xml", "alice", "alice-buddies-sales-team",
        "dialog", BLF_ACCEPT).key("supported", "replaces, eventlist").start();
    full.await(30, TimeUnit.SECONDS);
    vertx.eventBus().publish(EventAddresses.CALL_STATE, new CallStateEvent("bob", CallStateEvent.State.RINGING, "1003").toJson());
    vertx.eventBus().publish(EventAddresses.CALL_STATE, new CallStateEvent("carol", CallStateEvent.State.IN_CALL, "1002").toJson());
    vertx.eventBus().publish(EventAddresses.CALL_STATE, new CallStateEvent("bob", CallStateEvent.State.IN_CALL, "1003").toJson());
    partial.await(30, TimeUnit.SECONDS);

    List<SippTrace.Message> got = notifies(alice.await());
    assertEquals(3, got.size(), "full state, one partial with the latest call state, the end");
    RlmiReader.ListNotify first = read(got.get(0));
    assertEquals("dialog", got.get(0).header("Event"));
    assertEquals("sip:alice-buddies-sales-team@switchboard.test", first.uri());
    assertEquals(List.of("sip:bob@switchboard.test", "sip:carol@switchboard.test"), first.uris(), "the group only");
    for (RlmiReader.Resource r : first.resources()) {
      assertEquals("application/dialog-info+xml", r.part().contentType());
      assertTrue(r.part().body().contains("version=\"0\"") && !r.part().body().contains("<dialog "), r.part().body());
    }
    RlmiReader.ListNotify next = read(got.get(1));
    assertEquals(1, next.version());
    assertEquals(List.of("sip:bob@switchboard.test"), next.uris(), "carol polite-blocks alice: idle, unchanged");
    String bob = next.resources().get(0).part().body();
    assertTrue(bob.contains("version=\"1\"") && bob.contains("<state>confirmed</state>"), bob);
  }

  @Test
  void whenTheListItselfChangesTheNextNotifyIsFullState() throws Exception {
    Future<JsonObject> full = listNotified(0);
    Future<JsonObject> next = listNotified(1);
    Sipp.Running alice = listSubscriber("watch-list-2-then-unsubscribe.xml", "alice", "alice-buddies", "presence",
        LIST_ACCEPT).start();
    full.await(30, TimeUnit.SECONDS);
    vertx.eventBus().request(EventAddresses.PRESENCE_BUDDIES, BuddiesRequest.remove(Caller.user("alice"), "carol").toJson())
        .await();
    assertTrue(next.await(30, TimeUnit.SECONDS).getBoolean("fullState"));

    List<SippTrace.Message> got = notifies(alice.await());
    assertEquals(List.of("sip:bob@switchboard.test", "sip:carol@switchboard.test", "sip:erin@switchboard.test"),
        read(got.get(0)).uris());
    RlmiReader.ListNotify after = read(got.get(1));
    assertEquals(1, after.version());
    assertTrue(after.fullState(), "a resource left the list: the whole list again (RFC 4662 §5.2)");
    assertEquals(List.of("sip:bob@switchboard.test", "sip:erin@switchboard.test"), after.uris());
  }

  @Test
  void aRefreshSendsTheFullStateAgainAndAFetchSendsItOnce() throws Exception {
    register("bob");
    Sipp.Result refreshed = listSubscriber("watch-list-refresh.xml", "alice", "alice-buddies", "presence", LIST_ACCEPT)
        .run();
    List<SippTrace.Message> got = notifies(refreshed);
    assertEquals(3, got.size(), "the first, the refresh's, the end");
    RlmiReader.ListNotify again = read(got.get(1));
    assertEquals(1, again.version());
    assertTrue(again.fullState());
    assertEquals(read(got.get(0)).uris(), again.uris());
    assertEquals("open", pidf(again.resource("sip:bob@switchboard.test"))[0]);

    Sipp.Result fetched = listSubscriber("fetch-list.xml", "alice", "alice-buddies-sales-team", "presence", LIST_ACCEPT)
        .run();
    SippTrace.Message only = notifies(fetched).get(0);
    assertTrue(only.header("Subscription-State").startsWith("terminated"), only.headers());
    RlmiReader.ListNotify once = read(only);
    assertEquals(0, once.version());
    assertTrue(once.fullState());
    assertEquals(List.of("sip:bob@switchboard.test", "sip:carol@switchboard.test"), once.uris());
  }

  @Test
  void aListNeedsEventlistItsOwnerAndAGroupThatExists() throws Exception {
    Sipp.Result plain = listSubscriber("subscribe-list-refused.xml", "alice", "alice-buddies", "presence", LIST_ACCEPT)
        .key("supported", "timer").run();
    assertTrue(plain.passed(), plain::toString);
    assertEquals(421, SippTrace.lastStatus(plain.messages()));
    List<SippTrace.Message> answers = SippTrace.parse(plain.messages()).stream()
        .filter(m -> m.received() && m.startLine().contains("421")).toList();
    assertEquals("eventlist", answers.get(0).header("Require"));

    Sipp.Result other = listSubscriber("subscribe-list-refused.xml", "bob", "alice-buddies", "presence", LIST_ACCEPT).run();
    assertTrue(other.passed(), other::toString);
    assertEquals(403, SippTrace.lastStatus(other.messages()), "only alice may subscribe to her list");

    Sipp.Result noGroup = listSubscriber("subscribe-list-refused.xml", "alice", "alice-buddies-nobody", "presence",
        LIST_ACCEPT).run();
    assertTrue(noGroup.passed(), noGroup::toString);
    assertEquals(404, SippTrace.lastStatus(noGroup.messages()));
  }
}
