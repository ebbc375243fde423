package io.switchboard.server.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.config.ConfigLoader;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.health.Health;
import io.switchboard.core.metrics.Metrics;
import io.switchboard.core.testing.FreePorts;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two nodes in one JVM on loopback: they join over TCP/IP (no multicast), health lists both with their
 * ids, a message crosses the clustered bus, and a node that leaves disappears from the other's health.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterNodeTest {

  @Test
  void nodesJoinReportEachOtherAndForgetOneThatLeaves() throws Exception {
    int portA = FreePorts.udpAndTcp();
    int portB = FreePorts.udpAndTcp();
    ClusterNode a = ClusterNode.join(cluster(portA, ""), new Metrics(), new VertxOptions()).await(60, TimeUnit.SECONDS);
    ClusterNode b = null;
    try {
      b = ClusterNode.join(cluster(portB, "127.0.0.1:" + portA), new Metrics(), new VertxOptions())
          .await(60, TimeUnit.SECONDS);
      Health healthA = new Health();
      a.reportTo(healthA);
      JsonObject seen = healthA.toJson().getJsonObject("components").getJsonObject("cluster");
      assertEquals(a.nodeId(), seen.getString("node"));
      assertEquals(Set.of(a.nodeId(), b.nodeId()), nodes(seen.getJsonArray("members")));
      assertTrue(seen.getJsonArray("members").stream().map(m -> ((JsonObject) m).getString("address"))
          .collect(Collectors.toSet()).contains("127.0.0.1:" + portB), seen.encode());

      io.vertx.core.eventbus.MessageConsumer<String> pong = b.vertx().eventBus().consumer("test.cross",
          m -> m.reply("pong from b"));
      pong.completion().await(30, TimeUnit.SECONDS);
      assertEquals("pong from b", askUntilAnswered(a, 20).await(60, TimeUnit.SECONDS));

      // A member that leaves: A's Hazelcast tells, and health no longer lists it.
      CompletableFuture<Void> left = new CompletableFuture<>();
      a.onMembersChanged(() -> left.complete(null));
      CompletableFuture<String> leftNode = new CompletableFuture<>();
      a.onMemberLeft(leftNode::complete);
      String leaving = b.nodeId();
      b.vertx().close().await(30, TimeUnit.SECONDS);
      b = null;
      left.get(60, TimeUnit.SECONDS);
      JsonArray after = healthA.toJson().getJsonObject("components").getJsonObject("cluster").getJsonArray("members");
      assertFalse(nodes(after).contains(leaving), after.encode());
      assertEquals(Set.of(a.nodeId()), nodes(after));
      assertEquals(leaving, leftNode.get(30, TimeUnit.SECONDS), "the survivors are told which node left");
      assertFalse(a.describe().isEmpty());
    } finally {
      if (b != null) {
        b.vertx().close().await(30, TimeUnit.SECONDS);
      }
      a.vertx().close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void aSilentMemberIsRemovedAfterFiveSecondsOfMissedOneSecondHeartbeats() throws Exception {
    com.hazelcast.config.Config config = ClusterNode.hazelcastConfig(cluster(FreePorts.udpAndTcp(), ""));
    assertEquals("1", config.getProperty("hazelcast.heartbeat.interval.seconds"));
    assertEquals("5", config.getProperty("hazelcast.max.no.heartbeat.seconds"));
    // A paused node or a healed partition merges back within seconds, not Hazelcast's 300 s and 120 s.
    assertEquals("10", config.getProperty("hazelcast.merge.first.run.delay.seconds"));
    assertEquals("10", config.getProperty("hazelcast.merge.next.run.delay.seconds"));
  }

  @Test
  void aNodeWithAnotherSecretFormsAClusterOfItsOwn() throws Exception {
    int portA = FreePorts.udpAndTcp();
    int portB = FreePorts.udpAndTcp();
    int portC = FreePorts.udpAndTcp();
    ClusterNode a = ClusterNode.join(cluster(portA, "", SECRET), new Metrics(),
        new VertxOptions()).await(60, TimeUnit.SECONDS);
    ClusterNode b = null;
    ClusterNode c = null;
    try {
      // B lists A but has another secret: its join is refused and it starts alone.
      b = ClusterNode.join(cluster(portB, "127.0.0.1:" + portA, "another-secret-of-the-same-length"), new Metrics(),
          new VertxOptions()).await(120, TimeUnit.SECONDS);
      // C, with A's secret, joins A: the same start-up path does join when the secret matches.
      c = ClusterNode.join(cluster(portC, "127.0.0.1:" + portA, SECRET), new Metrics(), new VertxOptions())
          .await(120, TimeUnit.SECONDS);
      assertEquals(Set.of(b.nodeId()), nodes(b.members()), "B sees itself alone: " + b.members().encode());
      assertEquals(Set.of(a.nodeId(), c.nodeId()), nodes(a.members()), "A sees C, not B: " + a.members().encode());
      assertEquals(Set.of(a.nodeId(), c.nodeId()), nodes(c.members()));
      assertFalse(b.hazelcast().getConfig().getClusterName().equals(a.hazelcast().getConfig().getClusterName()));
    } finally {
      for (ClusterNode n : java.util.Arrays.asList(c, b)) {
        if (n != null) {
          n.vertx().close().await(30, TimeUnit.SECONDS);
        }
      }
      a.vertx().close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void theClusterNameComesFromTheSecretAndDoesNotShowIt() {
    SwitchboardConfig.Cluster one = cluster(5701, "", SECRET);
    String name = ClusterNode.clusterName(one);
    assertTrue(name.matches("switchboard-[0-9a-f]{16}"), name);
    assertEquals(name, ClusterNode.clusterName(cluster(5702, "10.0.0.2", SECRET)), "every node with the secret agrees");
    assertFalse(name.equals(ClusterNode.clusterName(cluster(5701, "", SECRET + "x"))));
    assertFalse(name.contains(SECRET));
  }

  private static final String SECRET = "cluster-node-test-secret";

  private static SwitchboardConfig.Cluster cluster(int port, String members) {
    return cluster(port, members, SECRET);
  }

  private static SwitchboardConfig.Cluster cluster(int port, String members, String secret) {
    return ConfigLoader.load(null, Map.of(ConfigLoader.envName("cluster.enabled"), "true",
        ConfigLoader.envName("cluster.port"), String.valueOf(port), ConfigLoader.envName("cluster.members"), members,
        ConfigLoader.envName("cluster.secret"), secret))
        .cluster();
  }

  private static Set<String> nodes(JsonArray members) {
    return members.stream().map(m -> ((JsonObject) m).getString("node")).collect(Collectors.toSet());
  }

  /**
   * Asks B through A's bus; while the consumer's registration is still reaching A's view of the
   * cluster (NO_HANDLERS), asks again on a timer, at most {@code tries} times.
   */
  private static io.vertx.core.Future<String> askUntilAnswered(ClusterNode from, int tries) {
    return from.vertx().eventBus().<String>request("test.cross", "ping").map(io.vertx.core.eventbus.Message::body)
        .recover(e -> tries <= 1 ? io.vertx.core.Future.failedFuture(e)
            : io.vertx.core.Future.<Void>future(p -> from.vertx().setTimer(250, t -> p.complete()))
                .compose(v -> askUntilAnswered(from, tries - 1)));
  }
}
