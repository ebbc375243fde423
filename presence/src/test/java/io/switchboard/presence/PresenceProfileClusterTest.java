package io.switchboard.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.Caller;
import io.switchboard.api.EventAddresses;
import io.switchboard.api.presence.BuddiesRequest;
import io.switchboard.api.presence.BuddyList;
import io.switchboard.api.presence.PresenceOf;
import io.switchboard.api.presence.PresenceQuery;
import io.switchboard.api.presence.PresenceSet;
import io.switchboard.api.presence.RulesRequest;
import io.switchboard.api.presence.WatcherRule;
import io.switchboard.core.ha.NodeIdentity;
import io.switchboard.core.store.SharedStores;
import io.switchboard.core.testing.SipTestCluster;
import io.switchboard.core.testing.SipTestServer;
import io.switchboard.core.testing.Sipp;
import io.switchboard.core.testing.SippTrace;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Profiles across two clustered nodes (Hazelcast on loopback, one JVM) on one store (node B reaches
 * node A's embedded store through the MongoDB driver): a manual state, a buddy and a rule written
 * through node A take effect at once on node B, where a watcher subscribed: its NOTIFYs (sent by B)
 * carry the state, B's PRESENCE_GET answers it, and a block on A ends the subscription on B.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class PresenceProfileClusterTest {

  /** Requests answered by one node's own presence: on a cluster, a plain send may reach either. */
  private static final DeliveryOptions HERE = new DeliveryOptions().setLocalOnly(true);

  private SipTestCluster cluster;

  @AfterEach
  void tearDown() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aStateABuddyAndABlockSetOnOneNodeApplyOnTheOther(@TempDir Path dir) throws Exception {
    cluster = new SipTestCluster(2);
    Vertx a = cluster.member(0);
    Vertx b = cluster.member(1);
    SipTestServer onA = node(a, dir.resolve("a"), Map.of());
    SipTestServer onB = node(b, dir.resolve("b"), Map.of("mongo.uri", SharedStores.uriOf(onA.store)));
    onA.createUser("alice", "1001", "alice-sip-secret").await(20, TimeUnit.SECONDS);
    onA.createUser("bob", "1002", "bob-sip-secret").await(20, TimeUnit.SECONDS);

    ask(a, EventAddresses.PRESENCE_RULES, RulesRequest.put(Caller.user("bob"), List.of(new WatcherRule("alice", "allow"))).toJson());
    Sipp.Result registered = Sipp.scenario("register.xml", onA.sipPort()).key("domain", onA.domain()).key("aor", "bob")
        .key("contact", "bob-desk").key("expires", "300").auth("bob", "bob-sip-secret").run();
    assertTrue(registered.passed(), registered::toString);

    // Alice watches bob through B; bob sets "dnd" through A.
    Promise<Void> seenActive = Promise.promise();
    Promise<Void> seenDnd = Promise.promise();
    b.eventBus().<JsonObject>consumer(EventAddresses.PRESENCE_NOTIFIED, m -> {
      JsonObject shown = m.body().getJsonObject("presence");
      if ("alice".equals(m.body().getString("watcher")) && "active".equals(m.body().getString("state"))) {
        seenActive.tryComplete();
        if (shown != null && "in a meeting".equals(shown.getString("note"))) {
          seenDnd.tryComplete();
        }
      }
    });
    Sipp.Running watcher = Sipp.scenario("watch-until-terminated.xml", onB.sipPort()).key("domain", onB.domain())
        .key("from", "alice").key("to", "bob").key("expires", "600").key("event", "presence")
        .key("accept", "application/pidf+xml").auth("alice", "alice-sip-secret").start();
    seenActive.future().await(30, TimeUnit.SECONDS);
    ask(a, EventAddresses.PRESENCE_SET, new PresenceSet(Caller.user("bob"), "dnd", "in a meeting", null).toJson());
    seenDnd.future().await(30, TimeUnit.SECONDS);

    // B answers the state set on A.
    PresenceOf onb = PresenceOf.fromJson(ask(b, EventAddresses.PRESENCE_GET, new PresenceQuery(Caller.user("alice"), "bob").toJson()));
    assertEquals("dnd", onb.presence().state());
    assertEquals("in a meeting", onb.presence().note());

    // A buddy added on A (its list checked on B below, once B has read bob's profile again for the block).
    ask(a, EventAddresses.PRESENCE_BUDDIES, BuddiesRequest.add(Caller.user("bob"), "alice", null, null).toJson());

    // Bob blocks alice on A: her subscription on B ends (a final NOTIFY from B), B refuses her and has the buddy.
    ask(a, EventAddresses.PRESENCE_RULES, RulesRequest.put(Caller.user("bob"), List.of(new WatcherRule("alice", "block"))).toJson());
    Sipp.Result watched = watcher.await();
    assertTrue(watched.passed(), watched::toString);
    List<SippTrace.Message> notifies = SippTrace.received(watched.messages(), "NOTIFY");
    assertTrue(notifies.stream().anyMatch(n -> n.body().contains("in a meeting")), watched::toString);
    assertTrue(notifies.get(notifies.size() - 1).header("Subscription-State").startsWith("terminated"), watched::toString);
    for (SippTrace.Message n : notifies) {
      assertTrue(n.header("Via").contains(":" + onB.sipPort()), "every NOTIFY leaves from B: " + n.headers());
    }
    BuddyList buddies = BuddyList.fromJson(ask(b, EventAddresses.PRESENCE_BUDDIES, BuddiesRequest.list(Caller.user("bob")).toJson()));
    assertEquals(List.of("alice"), buddies.buddies().stream().map(BuddyList.Buddy::username).toList());
    io.vertx.core.eventbus.ReplyException refused = awaitFailure(b);
    assertEquals(403, refused.failureCode(), refused::getMessage);
  }

  private static io.vertx.core.eventbus.ReplyException awaitFailure(Vertx on) throws Exception {
    try {
      on.eventBus().request(EventAddresses.PRESENCE_GET, new PresenceQuery(Caller.user("alice"), "bob").toJson(), HERE)
          .await(20, TimeUnit.SECONDS);
    } catch (io.vertx.core.eventbus.ReplyException e) {
      return e;
    }
    throw new AssertionError("alice, blocked on A, still saw bob through B");
  }

  private static JsonObject ask(Vertx on, String address, JsonObject body) throws Exception {
    return on.eventBus().<JsonObject>request(address, body, HERE).await(20, TimeUnit.SECONDS).body();
  }

  private SipTestServer node(Vertx vertx, Path dir, Map<String, String> settings) throws Exception {
    PresenceService[] presence = new PresenceService[1];
    SipTestServer server = cluster.server(vertx, dir, settings, t -> {
      t.sip.inCluster(NodeIdentity.of(vertx));
      presence[0] = new PresenceService(vertx, t.config, t.health, t.users, t.sip, t.store);
    });
    presence[0].start().await(30, TimeUnit.SECONDS);
    return server;
  }
}
