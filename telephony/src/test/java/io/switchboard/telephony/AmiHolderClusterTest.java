package io.switchboard.telephony;

import static io.switchboard.api.CallStateEvent.State.DIALING;
import static io.switchboard.api.CallStateEvent.State.IDLE;
import static io.switchboard.api.CallStateEvent.State.IN_CALL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.CallStateEvent;
import io.switchboard.api.EventAddresses;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.health.Health;
import io.switchboard.core.model.Role;
import io.switchboard.core.model.User;
import io.switchboard.core.store.MongoDeviceStore;
import io.switchboard.core.store.MongoStore;
import io.switchboard.core.store.MongoUserStore;
import io.switchboard.core.testing.ClusterNodes;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.TestConfigs;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two clustered nodes (Hazelcast on loopback, one JVM) with telephony configured for one fake Asterisk:
 * exactly one logs in, call state reaches both, a reload asked on the standby is done by the holder;
 * when the holder's Vert.x stops, the standby logs in within 10 s and resyncs.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class AmiHolderClusterTest {

  private static final Logger LOG = LoggerFactory.getLogger(AmiHolderClusterTest.class);
  private static final AmiTiming FAST = new AmiTiming(Duration.ofMillis(100), Duration.ofSeconds(2),
      Duration.ofMillis(400), Duration.ofSeconds(20), Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofSeconds(3));

  private final List<Vertx> nodes = new ArrayList<>();
  private FakeAsterisk asterisk;
  private MongoStore store;

  @AfterEach
  void tearDown() throws Exception {
    for (Vertx v : nodes) {
      v.close().await(60, TimeUnit.SECONDS);
    }
    if (store != null) {
      store.close();
    }
    if (asterisk != null) {
      asterisk.close();
    }
  }

  @Test
  void oneNodeHoldsTheLinkAndAnotherTakesOverWhenItStops(@TempDir Path dir) throws Exception {
    asterisk = new FakeAsterisk("uc", "ucsecret");
    asterisk.reply("CoreShowChannels", "action-CoreShowChannels-idle.ami");
    SwitchboardConfig config = TestConfigs.loopback(dir, FreePorts.udpAndTcp(), 0, Map.of("ami.host", "127.0.0.1",
        "ami.port", String.valueOf(asterisk.port()), "ami.username", "uc", "ami.secret", "ucsecret"));
    store = MongoStore.open(config.store());
    ClusterNodes cluster = new ClusterNodes(2);
    Vertx a = cluster.start(0, ClusterNodes.strict()).await(90, TimeUnit.SECONDS);
    nodes.add(a);
    Vertx b = cluster.start(1, ClusterNodes.strict()).await(90, TimeUnit.SECONDS);
    nodes.add(b);
    MongoUserStore users = new MongoUserStore(a, store);
    users.createIndexes();
    for (String[] u : new String[][] {{"alice", "1001"}, {"bob", "1002"}}) {
      Instant now = Instant.now();
      users.create(new User(u[0], u[0], u[1], Role.USER, true, null, Map.of(), now, now)).await(20, TimeUnit.SECONDS);
    }
    List<CallStateEvent> seenOnB = new ArrayList<>();
    Promise<Void> aliceIdleOnB = Promise.promise();
    b.eventBus().<JsonObject>consumer(EventAddresses.CALL_STATE, m -> {
      CallStateEvent e = CallStateEvent.fromJson(m.body());
      synchronized (seenOnB) {
        seenOnB.add(e);
      }
      if (e.username().equals("alice") && e.state() == IDLE) {
        aliceIdleOnB.tryComplete();
      }
    }).completion().await(30, TimeUnit.SECONDS);

    // A first: it holds the link and logs in.
    Health healthA = new Health();
    TelephonyService onA = service(a, config, healthA);
    onA.start().await(30, TimeUnit.SECONDS);
    asterisk.awaitActions("CoreShowChannels", 1).get(30, TimeUnit.SECONDS);
    // Then B: its start completes once it has found the lock taken.
    Health healthB = new Health();
    TelephonyService onB = service(b, config, healthB);
    onB.start().await(30, TimeUnit.SECONDS);
    JsonObject amiOnB = healthB.toJson().getJsonObject("components").getJsonObject("ami");
    assertEquals("standby", amiOnB.getString("role"), amiOnB.encode());
    assertTrue(healthB.healthy(), "a standby is healthy");
    assertEquals(1, asterisk.count("Login"), "one login for the cluster");

    // Call state from the holder reaches the other node.
    asterisk.replay("02-call-answered.ami");
    aliceIdleOnB.future().await(30, TimeUnit.SECONDS);
    synchronized (seenOnB) {
      assertEquals(List.of(DIALING, IN_CALL, IDLE),
          seenOnB.stream().filter(e -> e.username().equals("alice")).map(CallStateEvent::state).toList());
    }

    // A reload asked on B goes to Asterisk through A's link (the fake refuses Reload: the refusal is Asterisk's).
    Throwable reloadFromB = b.eventBus().request(EventAddresses.AMI_RELOAD, new JsonObject().put("module", "res_pjsip.so"))
        .transform(Future::succeededFuture).await(30, TimeUnit.SECONDS).cause();
    assertTrue(asterisk.count("Reload") == 1, "Asterisk got the reload: " + asterisk.received());
    if (reloadFromB instanceof ReplyException r) {
      assertNotEquals(ReplyFailure.NO_HANDLERS, r.failureType(), r.getMessage());
    }
    assertEquals(1, asterisk.count("Login"), "still one login");

    // The holder goes: B takes over, logs in and resyncs.
    nodes.remove(a);
    long stopping = System.nanoTime();
    a.close().await(60, TimeUnit.SECONDS);
    asterisk.awaitActions("Login", 2).get(10, TimeUnit.SECONDS);
    LOG.info("AMI takeover [from the holder's stop to the second login: {} ms]",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopping));
    asterisk.awaitActions("CoreShowChannels", 2).get(30, TimeUnit.SECONDS);
    assertEquals(2, asterisk.count("Login"));
    // Reported before the resync's list was asked for.
    JsonObject ownLink = healthB.toJson().getJsonObject("components").getJsonObject("ami");
    assertEquals("up", ownLink.getString("state"), ownLink.encode());
    assertEquals(null, ownLink.getString("role"), "B holds the link now: " + ownLink.encode());

    // B now serves reloads itself.
    b.eventBus().request(EventAddresses.AMI_RELOAD, new JsonObject().put("module", "res_pjsip.so"))
        .transform(Future::succeededFuture).await(30, TimeUnit.SECONDS);
    assertEquals(2, asterisk.count("Reload"), "the new holder sent the reload");
    onB.stop().await(30, TimeUnit.SECONDS);
  }

  private TelephonyService service(Vertx vertx, SwitchboardConfig config, Health health) {
    return new TelephonyService(vertx, config.ami(), health, new MongoUserStore(vertx, store),
        new MongoDeviceStore(vertx, store), FAST);
  }

}
