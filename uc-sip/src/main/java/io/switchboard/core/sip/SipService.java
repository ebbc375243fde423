package io.switchboard.core.sip;

import io.switchboard.api.BusFailure;
import io.switchboard.api.sip.Bindings;
import io.switchboard.api.sip.BindingsQuery;
import io.switchboard.api.DeviceEvent;
import io.switchboard.api.EventAddresses;
import io.switchboard.api.RegistrationEvent;
import io.switchboard.api.UserEvent;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.exec.TaskPool;
import io.switchboard.core.health.Health;
import io.switchboard.core.metrics.Metrics;
import io.switchboard.core.security.SecurityLog;
import io.switchboard.core.store.DeviceStore;
import io.switchboard.core.store.UserStore;
import io.switchboard.core.tls.TlsCredentials;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.text.ParseException;
import java.time.Clock;
import java.util.Optional;
import javax.sip.header.AcceptHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * The SIP side of uc-core assembled: edge, digest authentication, registrar and location service.
 * Feature modules add their method handlers through {@link #edge()} before {@link #start()}.
 */
public final class SipService {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SipService.class);

  /**
   * Nonces whose counts are kept at once (a few dozen bytes each): 200 authenticated requests a
   * second over a 300 s nonce lifetime is 60 000. Beyond it the oldest are answered stale. It must also
   * hold a whole issue step's challenges ({@link NonceService#ISSUE_STEP_MILLIS}).
   */
  static final int MAX_TRACKED_NONCES = 100_000;

  private final Vertx vertx;
  private final SipEdge edge;
  private final LocationService location;
  private final DigestAuthenticator authenticator;
  private final Clock clock;
  private final io.switchboard.api.BusConsumers consumers;
  private final io.switchboard.core.ha.SharedFailures digestFailures;
  private final AuthFailures authFailures;
  private final Metrics metrics;
  private final ActiveDevices activeDevices;
  private String deploymentId;
  /** In a cluster: requests to devices held by other nodes, and theirs to ours; null on a single node. */
  private NodeSend nodeSend;

  /**
   * @param devices for device credentials (auth username = endpoint): give a caching one
   * @param sipSend the pool for TCP and TLS sends (TaskPools#sipSend), or null for Vert.x's worker pool
   */
  public SipService(Vertx vertx, SwitchboardConfig.Sip config, Health health, UserStore users, DeviceStore devices,
      BindingStore bindings, Clock clock, TaskPool sipSend) {
    this(vertx, config, Optional.empty(), health, users, devices, bindings, clock, sipSend);
  }

  /** @param tls with it, the edge listens for SIP over TLS too */
  public SipService(Vertx vertx, SwitchboardConfig.Sip config, Optional<TlsCredentials> tls, Health health,
      UserStore users, DeviceStore devices, BindingStore bindings, Clock clock, TaskPool sipSend) {
    this(vertx, config, tls, health, users, devices, bindings, clock, sipSend, new Metrics());
  }

  /** @param metrics SIP answers, registrations and devices here; feature modules take it from {@link #metrics()} */
  public SipService(Vertx vertx, SwitchboardConfig.Sip config, Optional<TlsCredentials> tls, Health health,
      UserStore users, DeviceStore devices, BindingStore bindings, Clock clock, TaskPool sipSend, Metrics metrics) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.clock = clock;
    this.consumers = new io.switchboard.api.BusConsumers(vertx);
    SecurityLog security = new SecurityLog(vertx, clock);
    this.edge = new SipEdge(config, health, tls, security, clock, sipSend, metrics);
    this.location = new LocationService(vertx, bindings, clock, java.time.Duration.ofSeconds(config.registrarWriteBehind()));
    metrics.registrations(location::count);
    this.activeDevices = new ActiveDevices(vertx, metrics, devices);
    NonceService nonces = new NonceService(clock, config.nonceLifetime());
    AuthFailures failures = new AuthFailures(clock, config.authMaxFailures(), config.authFailureWindow(),
        config.authBlockTime(), new SourceRanges(config.floodExempt()));
    // Failed digests count on every node of a cluster: each node's are added to the others' counts.
    this.digestFailures = new io.switchboard.core.ha.SharedFailures(vertx, "digest");
    failures.onCounted(address -> digestFailures.failed(new JsonObject().put("address", address)));
    this.authFailures = failures;
    this.authenticator = new DigestAuthenticator(config.domain(), config.authAlgorithms(), nonces,
        new NonceCounts(config.nonceLifetime(), MAX_TRACKED_NONCES), failures, security, clock, users, devices,
        edge.factories().headers());
    // The first REGISTER, MESSAGE, SUBSCRIBE or PUBLISH of each exchange is challenged before any state exists.
    edge.challengeStatelessly(authenticator);
    // One user's REGISTERs on one event loop (the Registrar keeps them in order there), users spread.
    // Over UDP without a server transaction: the registrar answers retransmissions itself.
    edge.handleWithoutTransaction(Request.REGISTER,
        new Registrar(config, authenticator, users, location, edge.factories(), clock), SipAffinity.TO_USER);
    edge.handle(Request.OPTIONS, req -> Future.succeededFuture(SipOutcome.reply(Response.OK, resp -> {
      edge.addAllow(resp);
      try {
        AcceptHeader accept = edge.factories().headers().createAcceptHeader("text", "plain");
        resp.addHeader(accept);
      } catch (ParseException e) {
        throw new IllegalStateException(e);
      }
    })), SipAffinity.CALL_ID);
  }

  public Metrics metrics() {
    return metrics;
  }

  public SipEdge edge() {
    return edge;
  }

  public LocationService location() {
    return location;
  }

  /** Digest authentication against users' and devices' credentials, for every method handler that needs it. */
  public DigestAuthenticator authenticator() {
    return authenticator;
  }

  /**
   * Runs as node {@code nodeId} of a cluster: bindings carry the node, every node knows all of them,
   * and requests to a device leave from its node. Before {@link #start()}.
   */
  public SipService inCluster(String nodeId) {
    location.inCluster(nodeId);
    nodeSend = new NodeSend(vertx, edge, location, nodeId);
    edge.sendThroughNodes(nodeSend);
    return this;
  }

  /**
   * Cluster node {@code left} has gone (told on Hazelcast's thread): on the SIP context, requests sent
   * through it fail at once, and its bindings are kept until their expiry, marked so that nothing more is
   * sent through it (see {@link LocationService#nodeLeft}).
   */
  public void nodeLeft(String left) {
    edge.sipContext().runOnContext(v -> {
      location.nodeLeft(left);
      if (nodeSend != null) {
        nodeSend.nodeLeft(left);
      }
    });
  }

  /**
   * This node merged back into the cluster after a partition (told on Hazelcast's thread): the binding
   * changes it missed meanwhile are read from the store (see {@link LocationService#resync}).
   */
  public void rejoined() {
    edge.sipContext().runOnContext(v -> location.resync().onFailure(e -> LOG.warn(
        "Bindings not read again after a partition [reason: {}]", e.getMessage())));
  }

  /** Cluster node {@code joined} is a member (a partition healed): requests may go through it again. */
  public void nodeJoined(String joined) {
    edge.sipContext().runOnContext(v -> location.nodeJoined(joined));
  }

  /** Restores bindings, opens the stack, and starts revoking bindings of disabled or deleted users and devices. */
  public Future<Void> start() {
    return vertx.deployVerticle(edge).compose(id -> {
      deploymentId = id;
      return Future.<Void>future(p -> edge.sipContext().runOnContext(v -> {
        consumers.<JsonObject>consumer(EventAddresses.USER_CHANGED, msg -> {
          UserEvent event = UserEvent.fromJson(msg.body());
          if (!event.enabled()) {
            location.removeAll(event.username(), RegistrationEvent.Change.REVOKED);
          }
        }).compose(x -> consumers.<JsonObject>consumer(EventAddresses.DEVICE_CHANGED, msg -> {
          // A deleted device's credentials no longer register: its bindings go too.
          DeviceEvent event = DeviceEvent.fromJson(msg.body());
          activeDevices.forget(event.id()); // its kind may have changed
          if (event.change() == DeviceEvent.Change.DELETED) {
            location.loaded(event.username()).onSuccess(known -> location.bindings(event.username()).stream()
                .filter(b -> event.id().equals(b.device()))
                .forEach(b -> location.remove(b.username(), b.key(), RegistrationEvent.Change.REVOKED)));
          }
        }))
            .compose(x -> consumers.answer(EventAddresses.SIP_BINDINGS, BindingsQuery::fromJson, this::bindings,
                e -> BusFailure.unavailable("the store is unavailable")))
            .compose(x -> digestFailures.start(keys -> authFailures.failedElsewhere(keys.getString("address"))))
            // The devices gauge follows each user's registration changes, and counts everybody once loaded.
            .compose(x -> activeDevices.follow(location, consumers))
            .compose(x -> location.start())
            .compose(x -> nodeSend == null ? Future.succeededFuture() : nodeSend.start())
            .onComplete(p);
      }));
    });
  }

  /** The console's question: who is registered now (one user, or everybody). On the SIP context. */
  private Future<Bindings> bindings(BindingsQuery query) {
    if (!query.caller().isAdmin()) {
      return Future.failedFuture(BusFailure.administratorsOnly());
    }
    String user = query.user();
    return (user == null ? location.allLoaded() : location.loaded(user)).map(v -> bindingsOf(user));
  }

  private Bindings bindingsOf(String user) {
    java.time.Instant now = clock.instant();
    java.util.List<Bindings.Binding> out = new java.util.ArrayList<>();
    for (Binding b : user == null ? location.all() : location.bindings(user)) {
      out.add(new Bindings.Binding(b.username(), b.contact(), b.userAgent(), b.transport(), b.source(), b.device(),
          b.node(), b.remainingSeconds(now)));
    }
    return new Bindings(out);
  }

  /** Stops the edge, then writes the refreshes still unwritten ({@link LocationService#stop()}). */
  public Future<Void> stop() {
    activeDevices.stop();
    return consumers.unregisterAll().eventually(digestFailures::stop)
        .eventually(() -> nodeSend == null ? Future.succeededFuture() : nodeSend.stop())
        .eventually(() -> deploymentId == null ? Future.succeededFuture() : vertx.undeploy(deploymentId))
        .eventually(location::stop);
  }
}
