package io.switchboard.presence;

import io.switchboard.api.Caller;
import io.switchboard.api.presence.RulesRequest;
import io.switchboard.api.presence.WatcherRule;
import io.switchboard.api.presence.PresenceSet;
import io.switchboard.api.presence.BuddiesRequest;
import io.switchboard.api.presence.PendingQuery;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.CallStateEvent;
import io.switchboard.api.EventAddresses;
import io.switchboard.api.SecurityEvent;
import io.switchboard.core.testing.SipTestServer;
import io.switchboard.core.testing.Sipp;
import io.switchboard.core.testing.SippTrace;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Presence privacy on the wire: watchers who may not see a presentity (pending, polite-blocked)
 * learn nothing from when the presentity changes, blocked SUBSCRIBEs are security events, and
 * profile changes racing for one user (a pending SUBSCRIBE, a buddy added) all land in the store.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
class PresencePrivacyTest {

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

  private Sipp watcher(String scenario, String from, String to, String event, String accept) {
    return Sipp.scenario(scenario, server.sipPort()).key("domain", server.domain()).key("from", from).key("to", to)
        .key("expires", "600").key("event", event).key("accept", accept).auth(from, from + "-sip-secret");
  }

  private Sipp.Running watch(String from, String event, String accept) throws Exception {
    return watcher("watch-until-terminated.xml", from, "bob", event, accept).start();
  }

  private JsonObject ask(String address, JsonObject body) {
    return vertx.eventBus().<JsonObject>request(address, body).await().body();
  }

  private void putRules(String user, String... watcherAction) {
    List<WatcherRule> rules = new java.util.ArrayList<>();
    for (int i = 0; i < watcherAction.length; i += 2) {
      rules.add(new WatcherRule(watcherAction[i], watcherAction[i + 1]));
    }
    ask(EventAddresses.PRESENCE_RULES, RulesRequest.put(Caller.user(user), rules).toJson());
  }

  /** Counts the NOTIFYs acknowledged by one watcher in one package; {@code reached(n)} completes at the n-th. */
  private final class Acked {
    private final AtomicInteger count = new AtomicInteger();
    private final Map<Integer, Promise<Void>> waiting = new ConcurrentHashMap<>();

    Acked(String watcher, String pkg) {
      vertx.eventBus().<JsonObject>consumer(EventAddresses.PRESENCE_NOTIFIED, m -> {
        if (m.body().getString("watcher").equals(watcher) && m.body().getString("package").equals(pkg)) {
          waiting.computeIfAbsent(count.incrementAndGet(), n -> Promise.promise()).tryComplete();
        }
      });
    }

    void reached(int n) throws java.util.concurrent.TimeoutException {
      waiting.computeIfAbsent(n, k -> Promise.promise()).future().await(20, TimeUnit.SECONDS);
    }
  }

  /** NOTIFYs in a SIPp trace, a retransmission counted once (by CSeq). */
  private static List<SippTrace.Message> notifies(Sipp.Result r) {
    assertTrue(r.passed(), r::toString);
    List<SippTrace.Message> out = new ArrayList<>();
    for (SippTrace.Message m : SippTrace.received(r.messages(), "NOTIFY")) {
      if (out.stream().noneMatch(o -> o.header("CSeq").equals(m.header("CSeq")))) {
        out.add(m);
      }
    }
    return out;
  }

  private void sipp(String scenario, String aor) throws Exception {
    Sipp.Result r = Sipp.scenario(scenario, server.sipPort()).key("domain", server.domain()).key("aor", aor)
        .key("contact", aor + "-desk").key("expires", "300").auth(aor, aor + "-sip-secret").run();
    assertTrue(r.passed(), r::toString);
  }

  private void set(String user, String state) {
    ask(EventAddresses.PRESENCE_SET, new PresenceSet(Caller.user(user), state, null, null).toJson());
  }

  private void call(String user, CallStateEvent.State state) {
    vertx.eventBus().publish(EventAddresses.CALL_STATE, new CallStateEvent(user, state, null).toJson());
  }

  @Test
  void pendingAndPoliteBlockedWatchersLearnNothingFromTiming() throws Exception {
    putRules("bob", "alice", "allow", "dave", "polite-block"); // carol: nobody decided, so pending
    Acked alice = new Acked("alice", "presence");
    Acked carol = new Acked("carol", "presence");
    Acked carolBlf = new Acked("carol", "dialog");
    Acked dave = new Acked("dave", "presence");
    Acked daveBlf = new Acked("dave", "dialog");
    Sipp.Running alicePhone = watch("alice", "presence", "application/pidf+xml");
    Sipp.Running carolPhone = watch("carol", "presence", "application/pidf+xml");
    Sipp.Running carolKey = watch("carol", "dialog", "application/dialog-info+xml");
    Sipp.Running davePhone = watch("dave", "presence", "application/pidf+xml");
    Sipp.Running daveKey = watch("dave", "dialog", "application/dialog-info+xml");
    for (Acked first : List.of(alice, carol, carolBlf, dave, daveBlf)) {
      first.reached(1);
    }

    // Bob changes 7 times; alice, allowed, sees each (so each was fanned out before the next).
    sipp("register.xml", "bob");
    alice.reached(2);
    set("bob", "away");
    alice.reached(3);
    call("bob", CallStateEvent.State.IN_CALL);
    alice.reached(4);
    call("bob", CallStateEvent.State.IDLE);
    alice.reached(5);
    set("bob", "dnd");
    alice.reached(6);
    set("bob", "available");
    alice.reached(7);
    sipp("unregister-all.xml", "bob");
    alice.reached(8);
    // Then bob blocks all three: each subscription ends with its own final NOTIFY.
    putRules("bob", "alice", "block", "carol", "block", "dave", "block");

    assertEquals(9, notifies(alicePhone.await()).size(), "alice saw every change, and the end");
    for (Sipp.Running pending : List.of(carolPhone, carolKey)) {
      List<SippTrace.Message> got = notifies(pending.await());
      assertEquals(List.of("pending", "terminated"), got.stream().map(m -> m.header("Subscription-State")
          .split(";")[0].trim()).toList(), "only its own subscription's states");
      assertTrue(got.stream().allMatch(m -> m.body().isEmpty()), "no state while pending");
    }
    List<SippTrace.Message> polite = notifies(davePhone.await());
    assertEquals(2, polite.size(), "offline, then the end: no NOTIFY on bob's changes");
    assertTrue(polite.get(0).body().contains("<basic>closed</basic>"), polite.get(0).body());
    assertFalse(polite.get(0).body().contains("rpid:"), polite.get(0).body());
    assertTrue(polite.get(1).header("Subscription-State").startsWith("terminated"), polite.get(1).headers());
    List<SippTrace.Message> politeKey = notifies(daveKey.await());
    assertEquals(2, politeKey.size(), "idle, then the end: no NOTIFY on bob's calls");
    assertTrue(politeKey.get(0).body().contains("<dialog-info") && !politeKey.get(0).body().contains("<dialog "),
        politeKey.get(0).body());
  }

  @Test
  void aPoliteBlockedRefreshRepeatsTheSameOffline() throws Exception {
    putRules("bob", "dave", "polite-block");
    sipp("register.xml", "bob");
    set("bob", "busy");
    Sipp.Result r = watcher("watch-refresh.xml", "dave", "bob", "presence", "application/pidf+xml").run();
    List<SippTrace.Message> got = notifies(r);
    assertEquals(3, got.size());
    assertEquals(got.get(0).body(), got.get(1).body(), "the refresh shows the same offline document");
    assertTrue(got.get(0).body().contains("<basic>closed</basic>"), got.get(0).body());
  }

  @Test
  void aBlockedSubscribeIsASecurityEventOncePerAttempt() throws Exception {
    putRules("bob", "dave", "block");
    List<JsonObject> events = new CopyOnWriteArrayList<>();
    Map<Integer, Promise<Void>> reached = new ConcurrentHashMap<>();
    vertx.eventBus().<JsonObject>consumer(EventAddresses.SECURITY_EVENT, m -> {
      if (!SecurityEvent.Kind.WATCHER_BLOCKED.name().equals(m.body().getString("kind"))) {
        return; // other reporters' events (digest, throttling) are theirs to test
      }
      events.add(m.body());
      reached.computeIfAbsent(events.size(), n -> Promise.promise()).tryComplete();
    });
    for (String event : new String[] {"presence", "dialog"}) {
      Sipp.Result r = watcher("subscribe-refused.xml", "dave", "bob", event,
          event.equals("presence") ? "application/pidf+xml" : "application/dialog-info+xml").run();
      assertTrue(r.passed(), r::toString);
      assertEquals(403, SippTrace.lastStatus(r.messages()));
    }
    reached.computeIfAbsent(2, n -> Promise.promise()).future().await(20, TimeUnit.SECONDS);
    // An allowed watcher is no event: alice's SUBSCRIBE; then a third refused attempt from dave marks the end
    putRules("bob", "dave", "block", "alice", "allow");
    Sipp.Result allowed = watcher("watch-refresh.xml", "alice", "bob", "presence", "application/pidf+xml").run();
    assertTrue(allowed.passed(), allowed::toString);
    assertTrue(watcher("subscribe-refused.xml", "dave", "1002", "presence", "application/pidf+xml").run().passed());
    reached.computeIfAbsent(3, n -> Promise.promise()).future().await(20, TimeUnit.SECONDS);

    assertEquals(3, events.size(), "one per refused attempt, none for the allowed one: " + events);
    for (JsonObject e : events) {
      assertEquals(SecurityEvent.Kind.WATCHER_BLOCKED.name(), e.getString("kind"));
      assertEquals("dave", e.getString("who"));
      assertEquals("bob", e.getString("detail"));
      assertTrue(e.getString("source").startsWith("127.0.0.1:"), e.encode());
      assertFalse(e.encode().contains("secret"), e.encode());
    }
    assertEquals(2, events.stream().map(e -> e.getString("source")).limit(2).distinct().count(),
        "each attempt from its own SIPp: " + events);
  }

  @Test
  void aPendingSubscribeAndABuddyAddForOneUserBothLand() throws Exception {
    int users = 12;
    for (int i = 1; i <= users; i++) {
      server.createUser("p" + i, String.valueOf(2000 + i), "p" + i + "-sip-secret").await();
    }
    // carol fetches each p<i>'s presence (pending: strangers), one SIPp per presentity (the digest uri is the
    // Request-URI), while each p<i> keeps adding alice as a buddy with a new group: every SUBSCRIBE meets a
    // buddy add in flight for the same profile.
    List<Sipp.Running> fetches = new ArrayList<>();
    for (int i = 1; i <= users; i++) {
      fetches.add(Sipp.scenario("fetch-pending.xml", server.sipPort()).key("domain", server.domain())
          .key("from", "carol").key("to", "p" + i).key("event", "presence").key("accept", "application/pidf+xml")
          .auth("carol", "carol-sip-secret").start());
    }
    AtomicBoolean done = new AtomicBoolean();
    Map<String, Integer> lastGroup = new ConcurrentHashMap<>();
    List<Future<Void>> adders = new ArrayList<>();
    for (int i = 1; i <= users; i++) {
      adders.add(addBuddies("p" + i, 1, done, lastGroup));
    }
    List<Sipp.Result> results = new ArrayList<>();
    for (Sipp.Running fetch : fetches) {
      results.add(fetch.await());
    }
    done.set(true);
    Future.all(adders).await(60, TimeUnit.SECONDS);
    for (Sipp.Result r : results) {
      assertTrue(r.passed(), r::toString);
      assertEquals(1, SippTrace.received(r.messages(), "NOTIFY").size(), r::toString);
    }

    var stored = server.store.database().getCollection("presence");
    for (int i = 1; i <= users; i++) {
      String p = "p" + i;
      Document d = vertx.executeBlocking(() -> stored.find(new Document("_id", p)).first()).await();
      List<Document> pending = d.getList("pending", Document.class);
      List<Document> buddies = d.getList("buddies", Document.class);
      assertEquals(List.of("carol"), pending.stream().map(x -> x.getString("watcher")).toList(), p + ": " + d.toJson());
      assertEquals(1, buddies.size(), d.toJson());
      assertEquals("g" + lastGroup.get(p), buddies.get(0).getString("group"), p + ": the last buddy add: " + d.toJson());
      // and the service holds what the store holds
      assertEquals("carol", ask(EventAddresses.PRESENCE_PENDING, new PendingQuery(Caller.user(p)).toJson())
          .getJsonArray("pending").getJsonObject(0).getString("watcher"));
    }
  }

  /** Adds alice to {@code user}'s buddies again and again with group g1, g2, ... until {@code done} (at most 400 times). */
  private Future<Void> addBuddies(String user, int n, AtomicBoolean done, Map<String, Integer> lastGroup) {
    if (done.get() || n > 400) {
      return Future.succeededFuture();
    }
    return vertx.eventBus().<JsonObject>request(EventAddresses.PRESENCE_BUDDIES,
        BuddiesRequest.add(Caller.user(user), "alice", "g" + n, null).toJson()).compose(reply -> {
          lastGroup.put(user, n);
          return addBuddies(user, n + 1, done, lastGroup);
        });
  }
}
