package io.switchboard.server.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One Switchboard node as a process of its own (the shaded jar, as an operator runs it): its config
 * file written under its directory, started, awaited until "Switchboard is up", killed by its pid.
 * Its output is kept in {@code <dir>/node.log} for a failing test's message.
 */
final class NodeProcess implements AutoCloseable {

  private static final Path JAR = Path.of("target", "switchboard.jar");

  /** Notified on every line any node writes: what another process makes true shows in its output. */
  private static final Object OUTPUT = new Object();

  private final String name;
  private final Process process;
  private final Path log;
  private final StringBuffer output = new StringBuffer();
  private final CompletableFuture<String> up = new CompletableFuture<>();

  private NodeProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /** The cluster.secret every loopback node shares (letters, digits and '-': no percent-encoding in a URI). */
  static final String SECRET = "loopback-cluster-secret-for-tests";

  /**
   * The configuration of a clustered node on loopback: SIP, web and Hazelcast on the given ports, the
   * others' Hazelcast ports in {@code members}, its data under {@code dir}, the cluster's secret;
   * {@code more} added last, a {@code mongo.uri} without credentials given the cluster's (as an operator
   * writes it for another node's store.serve-port).
   */
  static Map<String, String> loopbackNode(int sipPort, int webPort, int clusterPort, String members, String domain,
      String adminPassword, Path dir, Map<String, String> more) {
    Map<String, String> config = new java.util.LinkedHashMap<>();
    config.put("sip.bind-address", "127.0.0.1");
    config.put("sip.advertised-address", "127.0.0.1");
    config.put("sip.port", String.valueOf(sipPort));
    config.put("sip.domain", domain);
    config.put("sip.flood.exempt", "127.0.0.0/8");
    config.put("web.bind-address", "127.0.0.1");
    config.put("web.port", String.valueOf(webPort));
    config.put("provisioning.bind-address", "127.0.0.1");
    config.put("provisioning.port", "0");
    config.put("admin.password", adminPassword);
    config.put("data.dir", dir.resolve("data").toString());
    config.put("cluster.enabled", "true");
    config.put("cluster.members", members);
    config.put("cluster.port", String.valueOf(clusterPort));
    config.put("cluster.bind-address", "127.0.0.1");
    config.put("cluster.secret", SECRET);
    more.forEach((key, value) -> config.put(key, key.equals("mongo.uri") ? withCredentials(value) : value));
    return config;
  }

  /** mongodb://host:port[/...] as mongodb://switchboard:SECRET@host:port/?authSource=admin (kept if it has a user). */
  static String withCredentials(String uri) {
    String rest = uri.substring("mongodb://".length());
    int slash = rest.indexOf('/');
    if (!uri.startsWith("mongodb://") || rest.substring(0, slash < 0 ? rest.length() : slash).contains("@")) {
      return uri;
    }
    String withUser = "mongodb://switchboard:" + SECRET + "@" + rest;
    if (slash < 0) {
      return withUser + "/?authSource=admin";
    }
    return withUser + (rest.contains("?") ? "&" : "?") + "authSource=admin";
  }

  /** Writes {@code <dir>/switchboard.properties} with {@code config} and starts the jar on it; not yet up. */
  static NodeProcess start(String name, Path dir, Map<String, String> config) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve("switchboard.properties");
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
      config.forEach((k, v) -> w.println(k + "=" + v));
    }
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-jar", JAR.toAbsolutePath().toString(), "--config", file.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("SWITCHBOARD_"));
    NodeProcess node = new NodeProcess(name, pb.start(), dir.resolve("node.log"));
    node.follow();
    return node;
  }

  private void follow() {
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
          PrintWriter file = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true)) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          output.append(line).append('\n');
          file.println(line);
          synchronized (OUTPUT) {
            OUTPUT.notifyAll();
          }
          if (line.startsWith("Switchboard is up")) {
            up.complete(line);
          }
        }
      } catch (IOException e) {
        output.append("(output ended: ").append(e.getMessage()).append(")\n");
      }
      up.completeExceptionally(new IllegalStateException("node " + name + " ended before it was up:\n" + output));
    }, "node-" + name + "-output");
    t.setDaemon(true);
    t.start();
  }

  /** Waits (bounded) for "Switchboard is up"; returns that line. */
  String awaitUp(long seconds) throws Exception {
    try {
      return up.get(seconds, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("node " + name + " not up within " + seconds + " s:\n" + output, e);
    }
  }

  String output() {
    return output.toString();
  }

  interface Check {
    boolean holds() throws Exception;
  }

  /**
   * Awaits (bounded) what other processes will make true: the check runs again each time a node writes
   * a line (its log says what it did), and at least once a second for what leaves no line (a SIPp
   * trace, a store write). On timeout, fails with {@code what} and {@code context}.
   */
  static void awaitTrue(String what, long seconds, Check check, java.util.function.Supplier<String> context)
      throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (true) {
      try {
        if (check.holds()) {
          return;
        }
      } catch (Exception notYet) {
        // a node still starting answers nothing yet
      }
      long left = until - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError(what + " within " + seconds + " s\n" + context.get());
      }
      synchronized (OUTPUT) {
        OUTPUT.wait(Math.max(1, Math.min(1000, TimeUnit.NANOSECONDS.toMillis(left))));
      }
    }
  }

  long pid() {
    return process.pid();
  }

  /** kill -9 of this process alone, by its pid; waits (bounded) for it to end. */
  void kill() throws Exception {
    if (process.isAlive()) {
      Process k = new ProcessBuilder("kill", "-9", String.valueOf(process.pid())).start();
      k.waitFor(10, TimeUnit.SECONDS);
      process.waitFor(20, TimeUnit.SECONDS);
    }
  }

  /** kill -STOP of this process (a node cut off: it neither answers nor sends, its sockets stay open). */
  void pause() throws Exception {
    signal("-STOP");
  }

  /** kill -CONT of this process: a paused node goes on where it stopped. */
  void resume() throws Exception {
    signal("-CONT");
  }

  private void signal(String signal) throws Exception {
    if (process.isAlive()) {
      Process k = new ProcessBuilder("kill", signal, String.valueOf(process.pid())).start();
      if (!k.waitFor(10, TimeUnit.SECONDS) || k.exitValue() != 0) {
        throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
      }
    }
  }

  @Override
  public void close() throws Exception {
    kill();
  }
}
