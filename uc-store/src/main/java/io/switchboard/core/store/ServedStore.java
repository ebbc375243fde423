package io.switchboard.core.store;

import io.switchboard.api.SecurityEvent;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.security.SecurityLog;
import io.switchboard.core.sip.SourceRanges;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded store served to other nodes ({@code store.serve-port}): a TCP relay on
 * {@code store.serve-address} to the embedded server's own loopback port. It admits only loopback, the
 * hosts of {@code cluster.members} and {@code store.serve-clients}, and closes any other connection at
 * once (a security event). mongo-java-server 1.47 has no authentication (it answers no
 * {@code saslStart}), so the relay asks for it as MongoDB does ({@link AuthenticatingRelay}: SCRAM-SHA-256,
 * user {@code switchboard}, password {@code cluster.secret}); after that every byte flows through
 * unchanged. The other nodes' {@code mongo.uri} is
 * {@code mongodb://switchboard:<secret>@address:port/?authSource=admin}.
 */
public final class ServedStore {

  private static final Logger LOG = LoggerFactory.getLogger(ServedStore.class);

  private final Vertx vertx;
  private final SourceRanges allowed;
  private final InetSocketAddress backend;
  private final SecurityLog security;
  /** The keys derived from cluster.secret; null only in tests of admission alone. */
  private final ScramSha256 scram;
  private NetServer server;
  private NetClient client;

  ServedStore(Vertx vertx, SourceRanges allowed, InetSocketAddress backend, SecurityLog security, ScramSha256 scram) {
    this.vertx = vertx;
    this.allowed = allowed;
    this.backend = backend;
    this.security = security;
    this.scram = scram;
  }

  /**
   * Listens on {@code store.serve-address:store.serve-port} for {@code store}, which must be embedded,
   * for clients that authenticate with {@code cluster.secret}. Fails (naming {@code store.serve-port})
   * when the port cannot be bound, (naming {@code cluster.secret}) when there is none.
   *
   * @param cluster the hosts of its members are admitted (names resolved once, here); its secret is the password
   */
  public static Future<ServedStore> start(Vertx vertx, SwitchboardConfig.Store config, SwitchboardConfig.Cluster cluster,
      MongoStore store, SecurityLog security) {
    if (cluster.secret().isEmpty()) {
      return Future.failedFuture(new io.switchboard.core.config.ConfigException("cluster.secret",
          "required when store.serve-port is set"));
    }
    InetSocketAddress backend = store.embeddedServer().address();
    String secret = cluster.secret().get();
    // PBKDF2 and name look-ups block: once, at start, on a worker.
    return vertx.executeBlocking(() -> new ServedStore(vertx, new SourceRanges(allowedSources(config, cluster.memberHosts())),
            backend, security, ScramSha256.forPassword(SwitchboardConfig.Cluster.STORE_USER, secret)))
        .compose(served -> served.listen(config));
  }

  /** Loopback, every address of each member host, and store.serve-clients. */
  static List<String> allowedSources(SwitchboardConfig.Store config, List<String> memberHosts) {
    List<String> out = new ArrayList<>(List.of("127.0.0.0/8", "::1"));
    for (String host : memberHosts) {
      try {
        for (InetAddress a : InetAddress.getAllByName(host)) {
          out.add(a.getHostAddress());
        }
      } catch (UnknownHostException e) {
        LOG.warn("Cluster member not resolved: the store will not admit it [host: {}]", host);
      }
    }
    out.addAll(config.serveClients());
    return out;
  }

  private Future<ServedStore> listen(SwitchboardConfig.Store config) {
    client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(5_000).setTcpNoDelay(true));
    server = vertx.createNetServer(new NetServerOptions().setHost(config.serveAddress()).setPort(config.servePort())
        .setTcpNoDelay(true));
    return server.connectHandler(this::relay).listen().map(s -> {
      LOG.info("Store served to other nodes [address: {}:{}, admitted: loopback, cluster members, store.serve-clients;"
          + " SCRAM-SHA-256 as user {}]", config.serveAddress(), s.actualPort(), SwitchboardConfig.Cluster.STORE_USER);
      return this;
    }).recover(e -> Future.failedFuture(new io.switchboard.core.config.ConfigException("store.serve-port",
        "cannot listen on " + config.serveAddress() + ":" + config.servePort() + ": " + e.getMessage())));
  }

  /** The port listened on (for tests that ask for any). */
  public int port() {
    return server.actualPort();
  }

  private void relay(NetSocket peer) {
    String source = peer.remoteAddress().hostAddress();
    if (!admits(source)) {
      security.record(SecurityEvent.Kind.SOURCE_THROTTLED, null, source,
          "store.serve-port: not loopback, a cluster member or in store.serve-clients");
      peer.close();
      return;
    }
    peer.pause();
    client.connect(backend.getPort(), backend.getHostString()).onComplete(r -> {
      if (r.failed()) {
        LOG.warn("Store relay: the embedded store did not answer [from: {}] {}", source, r.cause().toString());
        peer.close();
        return;
      }
      new AuthenticatingRelay(peer, r.result(), scram, security).start();
    });
  }

  boolean admits(String source) {
    return allowed.contains(source);
  }

  public Future<Void> stop() {
    Future<Void> s = server == null ? Future.succeededFuture() : server.close();
    return s.eventually(() -> client == null ? Future.succeededFuture() : client.close());
  }
}
