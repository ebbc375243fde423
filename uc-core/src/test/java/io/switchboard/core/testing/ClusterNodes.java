package io.switchboard.core.testing;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Clustered Vert.x instances in one JVM for tests: Hazelcast joined over TCP/IP on 127.0.0.1 (no
 * multicast, no auto-detection, no phone-home, logging through SLF4J), a cluster name of its own so
 * that parallel test runs never meet, and a member that vanishes noticed within a few seconds.
 */
public final class ClusterNodes {

  private final String name = "switchboard-test-" + UUID.randomUUID();
  private final List<Integer> ports = new ArrayList<>();

  /** @param size how many members may join (each gets its Hazelcast port now) */
  public ClusterNodes(int size) throws IOException {
    for (int i = 0; i < size; i++) {
      ports.add(FreePorts.udpAndTcp());
    }
  }

  /** Starts member {@code index} (0-based) and completes once it has joined whoever is up. */
  public Future<Vertx> start(int index) {
    return start(index, new VertxOptions());
  }

  public Future<Vertx> start(int index, VertxOptions options) {
    Config hz = ConfigUtil.loadConfig();
    hz.setClusterName(name);
    hz.setProperty("hazelcast.logging.type", "slf4j");
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    hz.setProperty("hazelcast.wait.seconds.before.join", "0");
    hz.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    hz.setProperty("hazelcast.max.no.heartbeat.seconds", "5");
    hz.setProperty("hazelcast.shutdownhook.enabled", "false");
    NetworkConfig net = hz.getNetworkConfig();
    net.setPort(ports.get(index)).setPortAutoIncrement(false);
    net.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = net.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setConnectionTimeoutSeconds(2);
    for (int port : ports) {
      join.getTcpIpConfig().addMember("127.0.0.1:" + port);
    }
    options.setEventBusOptions(new EventBusOptions().setHost("127.0.0.1").setPort(0));
    return Vertx.builder().with(options).withClusterManager(new HazelcastClusterManager(hz)).buildClustered();
  }

  /** Starts {@code count} members, one after the other. */
  public List<Vertx> startAll(int count) throws Exception {
    List<Vertx> nodes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      nodes.add(start(i).await(90, TimeUnit.SECONDS));
    }
    return nodes;
  }

  /** A test Vert.x whose event-loop blocking shows in the log at once. */
  public static VertxOptions strict() {
    return new VertxOptions().setMaxEventLoopExecuteTime(100).setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
        .setBlockedThreadCheckInterval(50).setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS);
  }
}
