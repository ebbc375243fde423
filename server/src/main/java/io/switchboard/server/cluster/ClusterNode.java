package io.switchboard.server.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.config.NetworkConfig;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.ha.NodeIdentity;
import io.switchboard.core.health.Health;
import io.switchboard.core.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process as a node of a cluster: a clustered {@link Vertx} on Hazelcast, configured in code (TCP/IP
 * join with {@code cluster.members}, no multicast, no phone-home, Hazelcast's logs through SLF4J), and
 * the members it sees, reported to {@code /api/health} as they join and leave.
 */
public final class ClusterNode {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);
  /** The member attribute where vertx-hazelcast keeps each node's Vert.x node id. */
  private static final String VERTX_NODE_ID = "__vertx.nodeId";
  /** Each member's heartbeat to the others (Hazelcast's default is 5 s). */
  static final int HEARTBEAT_SECONDS = 1;
  /** A member silent this long is removed (Hazelcast's default is 60 s): five missed heartbeats. */
  static final int MAX_NO_HEARTBEAT_SECONDS = 5;
  /**
   * How soon after start, and how often after that, a member looks for another cluster of the same name
   * among {@code cluster.members} and merges with it (Hazelcast's split-brain merge; its defaults are 300 s
   * and 120 s): a partition that healed, or a node that was paused, is one cluster again within this.
   */
  static final int MERGE_CHECK_SECONDS = 10;

  private final Vertx vertx;
  private final HazelcastClusterManager manager;
  private volatile Health health;
  /** Told after health has the new members (tests await it). */
  private final java.util.List<Runnable> membersChanged = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** Told the Vert.x node id of each member that left (the survivors drop what it held). */
  private final java.util.List<java.util.function.Consumer<String>> membersLeft = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** Told the Vert.x node id of each member that joined: one that had left is reachable again. */
  private final java.util.List<java.util.function.Consumer<String>> membersJoined = new java.util.concurrent.CopyOnWriteArrayList<>();

  private ClusterNode(Vertx vertx, HazelcastClusterManager manager) {
    this.vertx = vertx;
    this.manager = manager;
  }

  /** Joins (or starts) the cluster; fails when Hazelcast cannot bind cluster.bind-address:cluster.port. */
  public static Future<ClusterNode> join(SwitchboardConfig.Cluster cluster, Metrics metrics, VertxOptions options) {
    // Hazelcast's first lines are logged before it reads its config: the system property covers them.
    if (System.getProperty("hazelcast.logging.type") == null) {
      System.setProperty("hazelcast.logging.type", "slf4j");
    }
    HazelcastClusterManager manager = new HazelcastClusterManager(hazelcastConfig(cluster));
    // The event bus's own TCP server: on the cluster's address, any free port (peers learn it from Hazelcast).
    options.getEventBusOptions().setHost(cluster.bindAddress()).setPort(0);
    return metrics.newClusteredVertx(options, manager).map(vertx -> new ClusterNode(vertx, manager));
  }

  /**
   * The Hazelcast cluster name: "switchboard-" and the first 16 hex digits of SHA-256(cluster.secret). Hazelcast
   * (open source) has no member authentication; members join only a cluster of their own name, so a node
   * with another secret forms a cluster of its own. Separation, not security: the secret is not proven,
   * and the name travels in clear on the cluster port (a private network in production).
   */
  static String clusterName(SwitchboardConfig.Cluster cluster) {
    String secret = cluster.secret().orElseThrow(() -> new io.switchboard.core.config.ConfigException("cluster.secret",
        "required when cluster.enabled is true"));
    try {
      byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return "switchboard-" + java.util.HexFormat.of().formatHex(hash, 0, 8);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  /** Vert.x's own map settings (its default-cluster.xml), the network ours. */
  static Config hazelcastConfig(SwitchboardConfig.Cluster cluster) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(clusterName(cluster));
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    // Bind the one address asked for, not every interface.
    config.setProperty("hazelcast.socket.bind.any", "false");
    // A member killed with kill -9 sends nothing more: Hazelcast's deadline failure detector (the default)
    // removes it after this long without a heartbeat (default 60 s), well within the AMI takeover's 10 s.
    config.setProperty("hazelcast.heartbeat.interval.seconds", String.valueOf(HEARTBEAT_SECONDS));
    config.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(MAX_NO_HEARTBEAT_SECONDS));
    config.setProperty("hazelcast.merge.first.run.delay.seconds", String.valueOf(MERGE_CHECK_SECONDS));
    config.setProperty("hazelcast.merge.next.run.delay.seconds", String.valueOf(MERGE_CHECK_SECONDS));
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(cluster.port()).setPortAutoIncrement(false);
    network.getInterfaces().setEnabled(true).setInterfaces(List.of(cluster.bindAddress()));
    network.setPublicAddress(cluster.bindAddress() + ":" + cluster.port());
    network.getJoin().getMulticastConfig().setEnabled(false);
    network.getJoin().getAutoDetectionConfig().setEnabled(false);
    network.getJoin().getTcpIpConfig().setEnabled(true).setMembers(cluster.members());
    return config;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The Hazelcast instance under the cluster manager (membership, for tests and diagnostics). */
  public com.hazelcast.core.HazelcastInstance hazelcast() {
    return manager.getHazelcastInstance();
  }

  /** This node's id on the cluster: {@link NodeIdentity}, as the event bus, the bindings and the claims know it. */
  public String nodeId() {
    return NodeIdentity.of(vertx);
  }

  /** Reports the members now and whenever one joins or leaves. */
  public void reportTo(Health health) {
    this.health = health;
    manager.getHazelcastInstance().getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        String joined = event.getMember().getAttribute(VERTX_NODE_ID);
        LOG.info("Cluster member joined [node: {}, address: {}]", joined, event.getMember().getAddress());
        report();
        if (joined != null) {
          membersJoined.forEach(l -> l.accept(joined));
        }
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        String left = event.getMember().getAttribute(VERTX_NODE_ID);
        LOG.warn("Cluster member left [node: {}, address: {}]", left, event.getMember().getAddress());
        report();
        if (left != null) {
          membersLeft.forEach(l -> l.accept(left));
        }
      }
    });
    report();
  }

  private void report() {
    Health h = health;
    if (h != null) {
      h.report("cluster", Health.State.UP, new JsonObject().put("node", nodeId()).put("members", members()));
    }
    membersChanged.forEach(Runnable::run);
  }

  /** Runs {@code listener} (on Hazelcast's event thread) each time a member joined or left, once health shows it. */
  public void onMembersChanged(Runnable listener) {
    membersChanged.add(listener);
  }

  /**
   * Runs {@code listener} (on Hazelcast's thread) when this node has merged back into the cluster after a
   * partition: the smaller side merges into the larger one and drops what it held meanwhile (locks included).
   */
  public void onMerged(Runnable listener) {
    manager.getHazelcastInstance().getLifecycleService().addLifecycleListener(event -> {
      if (event.getState() == com.hazelcast.core.LifecycleEvent.LifecycleState.MERGED) {
        LOG.warn("Merged back into the cluster after a partition [node: {}, members: {}]", nodeId(), members().size());
        listener.run();
      }
    });
  }

  /** Runs {@code listener} (on Hazelcast's event thread) with the node id of each member that joined (or came back). */
  public void onMemberJoined(java.util.function.Consumer<String> listener) {
    membersJoined.add(listener);
  }

  /** Runs {@code listener} (on Hazelcast's event thread) with the node id of each member that left. */
  public void onMemberLeft(java.util.function.Consumer<String> listener) {
    membersLeft.add(listener);
  }

  /** Every member this node sees (itself included): node id and membership address. */
  public JsonArray members() {
    JsonArray out = new JsonArray();
    for (Member m : manager.getHazelcastInstance().getCluster().getMembers()) {
      // Vert.x's node id is a member attribute of its own, not Hazelcast's member UUID.
      String node = m.getAttribute(VERTX_NODE_ID);
      out.add(new JsonObject().put("node", node == null ? m.getUuid().toString() : node)
          .put("address", m.getAddress().getHost() + ":" + m.getAddress().getPort()).put("self", m.localMember()));
    }
    return out;
  }

  /** For the start-up banner: "node ID, members A, B". */
  public String describe() {
    return "node " + nodeId() + ", members " + members().stream().map(m -> ((JsonObject) m).getString("address"))
        .reduce((a, b) -> a + " " + b).orElse("none");
  }
}
