package io.switchboard.core.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Clustered nodes in one JVM ({@link ClusterNodes}), each running a {@link SipTestServer}, for tests of several
 * nodes; {@link #close()} ends them in the order that works: the servers last started first (a node that uses
 * another's store goes before that store), each after what was registered to stop before it
 * ({@link #stopBefore}), then the cluster members.
 */
public final class SipTestCluster implements AutoCloseable {

  private final ClusterNodes members;
  private final List<Vertx> started = new ArrayList<>();
  private final List<SipTestServer> servers = new ArrayList<>();
  private final Map<SipTestServer, List<Supplier<Future<?>>>> stopsBefore = new IdentityHashMap<>();

  /** @param size how many members may join */
  public SipTestCluster(int size) throws IOException {
    this.members = new ClusterNodes(size);
  }

  /** Starts member {@code index} (0-based) and returns it once it has joined whoever is up. */
  public Vertx member(int index) throws Exception {
    Vertx member = members.start(index).await(90, TimeUnit.SECONDS);
    started.add(member);
    return member;
  }

  /**
   * Starts a server on {@code member} with its data in {@code dir}; {@code beforeSipStart} wires the feature
   * under test to it (see {@link SipTestServer#beforeSipStart}) before its SIP stack starts.
   */
  public SipTestServer server(Vertx member, Path dir, Map<String, String> settings,
      Consumer<SipTestServer> beforeSipStart) throws Exception {
    SipTestServer server = new SipTestServer(member, dir, settings);
    server.beforeSipStart.add(beforeSipStart);
    servers.add(server);
    server.start().await(60, TimeUnit.SECONDS);
    return server;
  }

  /** {@code stop} runs (and is awaited) before {@code server} stops: a feature started on it. */
  public void stopBefore(SipTestServer server, Supplier<Future<?>> stop) {
    stopsBefore.computeIfAbsent(server, s -> new ArrayList<>()).add(stop);
  }

  @Override
  public void close() throws Exception {
    for (int i = servers.size() - 1; i >= 0; i--) {
      for (Supplier<Future<?>> stop : stopsBefore.getOrDefault(servers.get(i), List.of())) {
        stop.get().await(60, TimeUnit.SECONDS);
      }
      servers.get(i).stop().await(60, TimeUnit.SECONDS);
    }
    for (Vertx member : started) {
      member.close().await(60, TimeUnit.SECONDS);
    }
  }
}
