package io.switchboard.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.CallStateEvent;
import io.switchboard.api.EventAddresses;
import io.switchboard.core.testing.SipTestServer;
import io.switchboard.core.testing.Sipp;
import io.switchboard.core.testing.SippTrace;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fan-out spread over several turns of the SIP context (one NOTIFY per turn here, 100 in service),
 * with a second change handled between its turns: every watcher still gets both states, in order.
 * Deciding each watcher's view only when its turn came gave the later watchers the second state in
 * place of the first, and then nothing for the second (its view had not changed): with 500 watchers
 * (bench E1) whole batches of 100 missed a state.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class FanOutBatchesTest {

  private static final List<String> WATCHERS = List.of("alice", "carol", "dave");

  private Vertx vertx;
  private SipTestServer server;

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) throws Exception {
    this.vertx = vertx;
    server = new SipTestServer(vertx, dir, Map.of("presence.default-rule", "allow"));
    PresenceService[] presence = new PresenceService[1];
    server.beforeSipStart.add(t -> presence[0] = new PresenceService(vertx, t.config, t.health, t.users, t.sip,
        new MongoPresenceStore(vertx, t.store), 1));
    server.start().await();
    presence[0].start().await();
    presence[0].allLoaded().await();
    for (String[] u : new String[][] {{"alice", "1001"}, {"bob", "1002"}, {"carol", "1003"}, {"dave", "1004"}}) {
      server.createUser(u[0], u[1], u[0] + "-sip-secret").await();
    }
  }

  @AfterEach
  void stop() {
    server.stop().await();
  }

  @Test
  void aChangeBetweenTheTurnsOfAFanOutDoesNotTakeTheEarlierOnesPlace() throws Exception {
    Map<String, List<String>> shown = new ConcurrentHashMap<>();
    Map<String, Promise<Void>> sawBoth = new ConcurrentHashMap<>();
    Map<String, Promise<Void>> subscribed = new ConcurrentHashMap<>();
    WATCHERS.forEach(w -> sawBoth.put(w, Promise.promise()));
    WATCHERS.forEach(w -> subscribed.put(w, Promise.promise()));
    vertx.eventBus().<JsonObject>consumer(EventAddresses.PRESENCE_NOTIFIED, m -> {
      JsonObject view = m.body().getJsonObject("presence");
      String watcher = m.body().getString("watcher");
      if (view != null && sawBoth.containsKey(watcher)) {
        List<String> states = shown.computeIfAbsent(watcher, w -> new ArrayList<>());
        synchronized (states) {
          states.add(view.getString("state"));
          subscribed.get(watcher).tryComplete();
          if (states.contains("on-the-phone")) {
            sawBoth.get(watcher).tryComplete();
          }
        }
      }
    });
    List<Sipp.Running> phones = new ArrayList<>();
    for (String w : WATCHERS) {
      phones.add(Sipp.scenario("watch-3-then-unsubscribe.xml", server.sipPort()).key("domain", server.domain())
          .key("from", w).key("to", "bob").key("expires", "600").key("event", "presence")
          .key("accept", "application/pidf+xml").auth(w, w + "-sip-secret").start());
    }
    for (String w : WATCHERS) {
      subscribed.get(w).future().await(60, TimeUnit.SECONDS); // its first NOTIFY was answered
    }
    // Both events are queued on the SIP context before the first is handled: the second is handled
    // while the first's fan-out still has watchers to go.
    vertx.eventBus().publish(EventAddresses.CALL_STATE, new CallStateEvent("bob", CallStateEvent.State.RINGING, "1001").toJson());
    vertx.eventBus().publish(EventAddresses.CALL_STATE, new CallStateEvent("bob", CallStateEvent.State.IN_CALL, "1001").toJson());
    for (String w : WATCHERS) {
      sawBoth.get(w).future().await(60, TimeUnit.SECONDS);
    }
    for (String w : WATCHERS) {
      List<String> states = shown.get(w);
      synchronized (states) {
        assertEquals(List.of("offline", "ringing", "on-the-phone"), states, w + " was shown every state, in order");
      }
    }
    for (Sipp.Running phone : phones) {
      Sipp.Result r = phone.await();
      assertTrue(r.passed(), r::toString);
      List<SippTrace.Message> notifies = SippTrace.received(r.messages(), "NOTIFY");
      assertTrue(notifies.size() >= 4, "three states and the end: " + notifies.size());
      // PIDF has no ringing: RFC 4480's closest activity, on-the-phone, for both
      assertTrue(notifies.get(1).body().contains("on-the-phone"), notifies.get(1).body());
      assertTrue(notifies.get(2).body().contains("on-the-phone"), notifies.get(2).body());
      assertTrue(cseq(notifies.get(1)) < cseq(notifies.get(2)), "in order");
    }
  }

  private static long cseq(SippTrace.Message m) {
    return Long.parseLong(m.header("CSeq").trim().split("\\s+")[0]);
  }
}
