package io.switchboard.server;

import io.switchboard.core.config.ConfigException;
import io.switchboard.core.config.ConfigLoader;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.server.cluster.ClusterNode;
import io.switchboard.server.logging.LogFormat;
import io.switchboard.core.metrics.Metrics;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts Switchboard in the foreground; {@code restore FILE [--force]} restores a backup instead (see
 * {@link RestoreCommand} for its exit codes). Exit codes: 2 for a configuration error (the message names
 * the key; a TLS certificate or key that does not parse is one), 1 when a component fails to start. Ctrl-C (SIGINT/SIGTERM) stops it cleanly.
 */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("restore")) {
      System.exit(new RestoreCommand(System.out, System.err).run(java.util.Arrays.copyOfRange(args, 1, args.length),
          System.getenv()));
      return;
    }
    SwitchboardConfig config;
    try {
      config = ConfigLoader.load(configFile(args, System.getenv()), System.getenv());
    } catch (ConfigException e) {
      System.err.println("switchboard: " + e.getMessage());
      System.exit(2);
      return;
    }
    boolean json = config.log().json() && LogFormat.useJson();
    if (config.log().json() && !json) {
      LOG.warn("log.format=json: no console appender to give the JSON encoder (a logback.xml of your own?)");
    }
    // Vert.x takes its metrics when it is built: the registry comes first.
    Metrics metrics = new Metrics();
    ClusterNode cluster = null;
    Vertx vertx;
    if (config.cluster().enabled()) {
      try {
        cluster = ClusterNode.join(config.cluster(), metrics, new VertxOptions()).await(120, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println("switchboard: cannot join the cluster on " + config.cluster().bindAddress() + ":"
            + config.cluster().port() + " (cluster.bind-address, cluster.port): " + e.getMessage());
        System.exit(1);
        return;
      }
      vertx = cluster.vertx();
      LOG.info("Cluster joined [{}]", cluster.describe());
    } else {
      vertx = metrics.newVertx(new VertxOptions());
    }
    Switchboard switchboard = new Switchboard(vertx, config, metrics,
        LogFormat.console(json, System.out, Main.class.getName()));
    if (cluster != null) {
      switchboard.inCluster(cluster);
    }
    try {
      switchboard.start().await(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      ConfigException badConfig = configCause(e);
      // A configuration value found wrong only when used (a certificate that does not parse): exit 2 too.
      System.err.println("switchboard: " + (badConfig != null ? badConfig.getMessage() : "start-up failed: " + e.getMessage()));
      stopQuietly(switchboard, vertx);
      System.exit(badConfig != null ? 2 : 1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("Stopping");
      stopQuietly(switchboard, vertx);
    }, "switchboard-shutdown"));
    if (json) {
      // The same line, its parts as context keys.
      var up = LOG.atInfo();
      switchboard.listenerFields().forEach(up::addKeyValue);
      up.log("Switchboard is up");
    } else {
      System.out.println("Switchboard is up: " + switchboard.listeners());
    }
  }

  private static ConfigException configCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConfigException c) {
        return c;
      }
    }
    return null;
  }

  private static void stopQuietly(Switchboard switchboard, Vertx vertx) {
    try {
      switchboard.stop().await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("Unclean stop: {}", e.toString());
    }
    try {
      // Closed from this (non Vert.x) thread: chaining it onto a context that is closing never completes.
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("Unclean Vert.x close: {}", e.toString());
    }
  }

  /** --config FILE, else SWITCHBOARD_CONFIG, else none (built-in defaults and environment only). */
  static Path configFile(String[] args, Map<String, String> env) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config")) {
        if (i + 1 >= args.length) {
          throw new ConfigException("config", "--config needs a file name");
        }
        return checked(Path.of(args[i + 1]));
      }
      if (args[i].startsWith("--config=")) {
        return checked(Path.of(args[i].substring("--config=".length())));
      }
    }
    String fromEnv = env.get("SWITCHBOARD_CONFIG");
    return fromEnv == null || fromEnv.isBlank() ? null : checked(Path.of(fromEnv));
  }

  private static Path checked(Path p) {
    if (!Files.isReadable(p)) {
      throw new ConfigException("config", "cannot read " + p.toAbsolutePath());
    }
    return p;
  }
}
