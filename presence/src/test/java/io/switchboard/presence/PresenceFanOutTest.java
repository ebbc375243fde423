package io.switchboard.presence;

import io.switchboard.api.Caller;
import io.switchboard.api.presence.RulesRequest;
import io.switchboard.api.presence.WatcherRule;
import io.switchboard.api.presence.PresenceSet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.EventAddresses;
import io.switchboard.core.testing.SipTestServer;
import io.switchboard.core.testing.Sipp;
import io.switchboard.core.testing.SippTrace;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fan-out reaches only the presentity's own watchers, through the reverse index, without
 * reading a profile (from the store, or by walking every buddy list); and a PUBLISH is answered
 * before its fan-out, not after it.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
class PresenceFanOutTest {

  private static final int UNRELATED = 2_000;

  /** Counts every call into the store after start-up. */
  private static final class CountingStore implements PresenceStore {
    private final PresenceStore inner;
    final AtomicInteger loads = new AtomicInteger();
    final AtomicInteger updates = new AtomicInteger();

    CountingStore(PresenceStore inner) {
      this.inner = inner;
    }

    @Override
    public Future<List<PresenceProfile>> loadAll() {
      loads.incrementAndGet();
      return inner.loadAll();
    }

    @Override
    public Future<PresenceProfile> update(PresenceProfile known, UnaryOperator<PresenceProfile> change) {
      updates.incrementAndGet();
      return inner.update(known, change);
    }
  }

  private Vertx vertx;
  private SipTestServer server;
  private CountingStore store;

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) throws Exception {
    this.vertx = vertx;
    // T1 of 2 s (not 0.5): the slow watcher below answers after 100 ms, and a NOTIFY retransmitted
    // while its SIPp pauses (a loaded machine) is not what those tests are about
    server = new SipTestServer(vertx, dir, Map.of("presence.default-rule", "allow", "sip.timer.t1", "2000"));
    PresenceService[] presence = new PresenceService[1];
    server.beforeSipStart.add(t -> {
      store = new CountingStore(new MongoPresenceStore(vertx, t.store));
      presence[0] = new PresenceService(vertx, t.config, t.health, t.users, t.sip, store);
    });
    server.start().await();
    // 2,000 profiles whose buddy lists hold one another, never bob; and two consoles that list bob.
    List<Document> profiles = new ArrayList<>();
    for (int i = 0; i < UNRELATED; i++) {
      profiles.add(profile("u" + i, "u" + ((i + 1) % UNRELATED), "u" + ((i + 2) % UNRELATED), "erin"));
    }
    profiles.add(profile("fan1", "bob", "u1"));
    profiles.add(profile("fan2", "u2", "bob"));
    var collection = server.store.database().getCollection("presence");
    vertx.executeBlocking(() -> collection.insertMany(profiles)).await();
    presence[0].start().await();
    presence[0].allLoaded().await(); // the profiles are read in the background: all in before the first count
    for (String[] u : new String[][] {{"alice", "1001"}, {"bob", "1002"}, {"carol", "1003"}, {"erin", "1005"}}) {
      server.createUser(u[0], u[1], u[0] + "-sip-secret").await();
    }
  }

  private static Document profile(String user, String... buddies) {
    return new Document("_id", user).append("version", 1L).append("rules", List.of()).append("pending", List.of())
        .append("buddies", List.of(buddies).stream().map(b -> new Document("username", b).append("group", "g")
            .append("displayName", b)).toList());
  }

  @AfterEach
  void stop() {
    server.stop().await();
  }

  private Sipp watcher(String scenario, String from, String to) {
    return Sipp.scenario(scenario, server.sipPort()).key("domain", server.domain()).key("from", from).key("to", to)
        .key("expires", "600").key("event", "presence").key("accept", "application/pidf+xml")
        .auth(from, from + "-sip-secret");
  }

  /** Completes at the n-th NOTIFY a watcher acknowledged. */
  private final class Acked {
    private final AtomicInteger count = new AtomicInteger();
    private final Map<Integer, Promise<Void>> waiting = new ConcurrentHashMap<>();

    Acked(String watcher) {
      vertx.eventBus().<JsonObject>consumer(EventAddresses.PRESENCE_NOTIFIED, m -> {
        if (m.body().getString("watcher").equals(watcher)) {
          waiting.computeIfAbsent(count.incrementAndGet(), n -> Promise.promise()).tryComplete();
        }
      });
    }

    void reached(int n) throws java.util.concurrent.TimeoutException {
      waiting.computeIfAbsent(n, k -> Promise.promise()).future().await(30, TimeUnit.SECONDS);
    }

    int count() {
      return count.get();
    }
  }

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

  @Test
  void aChangeReadsNoProfileAndReachesOnlyItsWatchers() throws Exception {
    assertEquals(1, store.loads.get(), "profiles are loaded once, at start");
    // Console events and acknowledged NOTIFYs reach one consumer context in the order they were published,
    // so once alice's NOTIFY is acknowledged, every console event of the same change is in.
    List<JsonObject> updates = new CopyOnWriteArrayList<>();
    Acked[] acked = new Acked[2];
    Context consumers = vertx.getOrCreateContext();
    Future.<Void>future(p -> consumers.runOnContext(v -> {
      vertx.eventBus().<JsonObject>consumer(EventAddresses.PRESENCE_UPDATE, m -> updates.add(m.body()));
      acked[0] = new Acked("alice");
      acked[1] = new Acked("carol");
      p.complete();
    })).await();
    Acked alice = acked[0];
    Acked carol = acked[1];
    Sipp.Running bobsWatcher = watcher("watch-2.xml", "alice", "bob").start();
    Sipp.Running erinsWatcher = watcher("watch-until-terminated.xml", "carol", "erin").start();
    alice.reached(1);
    carol.reached(1);
    int updatesBefore = updates.size();

    // Bob opens his console: he comes online, without a store write.
    vertx.eventBus().publish(EventAddresses.CONSOLE_PRESENCE, new JsonObject().put("username", "bob").put("online", true));
    alice.reached(2);

    assertEquals(1, store.loads.get(), "no profile read from the store for the change");
    assertEquals(0, store.updates.get(), "nor written");
    List<JsonObject> fromChange = updates.subList(updatesBefore, updates.size());
    assertEquals(List.of("fan1", "fan2"), fromChange.stream().map(u -> u.getString("watcher")).sorted().toList(),
        "only bob's buddy watchers hear it: " + fromChange);
    assertTrue(fromChange.stream().allMatch(u -> u.getString("presentity").equals("bob")
        && u.getJsonObject("presence").getString("state").equals("available")), fromChange::toString);
    List<SippTrace.Message> got = notifies(bobsWatcher.await());
    assertEquals(2, got.size());
    assertTrue(got.get(1).body().contains("<basic>open</basic>"), got.get(1).body());

    // Erin's watcher heard nothing of bob: end its subscription and count what reached it on the wire.
    assertEquals(1, carol.count());
    vertx.eventBus().request(EventAddresses.PRESENCE_RULES,
        RulesRequest.put(Caller.user("erin"), List.of(new WatcherRule("carol", "block"))).toJson()).await();
    List<SippTrace.Message> erins = notifies(erinsWatcher.await());
    assertEquals(2, erins.size(), "its first NOTIFY and its end, none for bob");
    assertTrue(erins.get(1).header("Subscription-State").startsWith("terminated"), erins.get(1).headers());
  }

  @Test
  void aPublishIsAnsweredBeforeItsFanOutIsAnswered() throws Exception {
    Acked alice = new Acked("alice");
    // alice's phone answers its first NOTIFY at once and the one that follows bob's PUBLISH only after 6 s.
    Sipp.Running slow = watcher("watch-2-answer-late.xml", "alice", "bob").start();
    alice.reached(1);

    Sipp.Result published = Sipp.scenario("publish.xml", server.sipPort()).key("domain", server.domain())
        .key("from", "bob").key("activity", "busy").key("note", "in a meeting").auth("bob", "bob-sip-secret").run();
    int answeredWhenPublished = alice.count();

    assertTrue(published.passed(), published::toString);
    assertEquals(200, SippTrace.lastStatus(published.messages()));
    assertEquals(1, answeredWhenPublished, "the PUBLISH's 200 came while its NOTIFY was still unanswered");
    alice.reached(2);
    Sipp.Result seen = slow.await();
    List<SippTrace.Message> got = notifies(seen);
    assertEquals(2, got.size());
    assertTrue(got.get(1).body().contains("<rpid:busy/>") && got.get(1).body().contains("in a meeting"),
        got.get(1).body());
    // Unanswered for 6 s, the NOTIFY (sent as bytes from its dialog's template) was retransmitted
    // by Timer E: the same request, byte for byte (one branch, one CSeq, the same body).
    List<SippTrace.Message> copies = SippTrace.received(seen.messages(), "NOTIFY").stream()
        .filter(m -> m.header("CSeq").equals(got.get(1).header("CSeq"))).toList();
    assertTrue(copies.size() >= 2, "retransmitted while unanswered: " + copies.size() + " copies");
    assertEquals(1, copies.stream().map(m -> m.header("Via")).distinct().count(), "one branch: " + copies);
    assertEquals(1, copies.stream().map(m -> m.headers() + m.body()).distinct().count(), "identical copies");
    assertEquals(1, Long.parseLong(got.get(1).header("CSeq").trim().split("\\s+")[0])
        - Long.parseLong(got.get(0).header("CSeq").trim().split("\\s+")[0]), "CSeq one up");
  }

  @Test
  void quickChangesReachAWatcherEachInOrderAndTheLatestLast() throws Exception {
    Promise<Void> sawLatest = Promise.promise();
    vertx.eventBus().<JsonObject>consumer(EventAddresses.PRESENCE_NOTIFIED, m -> {
      JsonObject shown = m.body().getJsonObject("presence");
      if (m.body().getString("watcher").equals("alice") && shown != null && "change 19".equals(shown.getString("note"))) {
        sawLatest.tryComplete();
      }
    });
    Acked alice = new Acked("alice");
    // alice's phone answers each NOTIFY after 100 ms: the changes come faster than that
    Sipp.Running watching = watcher("watch-until-terminated-slowly.xml", "alice", "bob").start();
    alice.reached(1);
    vertx.eventBus().publish(EventAddresses.CONSOLE_PRESENCE, new JsonObject().put("username", "bob").put("online", true));

    // 20 changes, none waiting for the NOTIFYs of the one before: they are sent from another context
    // than the one deciding them, one at a time per dialog, the latest state last; the states decided
    // while one was unanswered wait for it (fewer than Subscriptions.QUEUED_PER_DIALOG at a time here).
    for (int i = 0; i < 20; i++) {
      vertx.eventBus().request(EventAddresses.PRESENCE_SET,
          new PresenceSet(Caller.user("bob"), i % 2 == 0 ? "away" : "busy", "change " + i, null).toJson()).await();
    }
    sawLatest.future().await(30, TimeUnit.SECONDS);
    vertx.eventBus().request(EventAddresses.PRESENCE_RULES,
        RulesRequest.put(Caller.user("bob"), List.of(new WatcherRule("alice", "block"))).toJson()).await();

    List<SippTrace.Message> got = notifies(watching.await());
    List<Long> cseqs = got.stream().map(m -> Long.parseLong(m.header("CSeq").trim().split("\\s+")[0])).toList();
    for (int i = 1; i < cseqs.size(); i++) {
      assertTrue(cseqs.get(i) > cseqs.get(i - 1), "NOTIFYs arrived in the order sent: " + cseqs);
    }
    assertTrue(got.get(got.size() - 1).header("Subscription-State").startsWith("terminated"), "the end comes last");
    assertTrue(got.get(got.size() - 2).body().contains("change 19"), "the latest state before it: "
        + got.get(got.size() - 2).body());
    List<Integer> changes = got.stream().map(m -> java.util.regex.Pattern.compile("change (\\d+)").matcher(m.body()))
        .filter(java.util.regex.Matcher::find).map(m -> Integer.parseInt(m.group(1))).toList();
    assertEquals(java.util.stream.IntStream.range(0, 20).boxed().toList(), changes,
        "every state reached the watcher once, in order, none merged away");
  }
}
