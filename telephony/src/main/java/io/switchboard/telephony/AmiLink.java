package io.switchboard.telephony;

import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.ha.AmiHolding;
import io.switchboard.api.EventAddresses;
import io.switchboard.api.cluster.AmiHolder;
import io.switchboard.core.health.Health;
import io.switchboard.core.metrics.Metrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Lock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.asteriskjava.manager.AuthenticationFailedException;
import org.asteriskjava.manager.ManagerEventListener;
import org.asteriskjava.manager.action.CoreShowChannelsAction;
import org.asteriskjava.manager.action.PingAction;
import org.asteriskjava.manager.event.CoreShowChannelEvent;
import org.asteriskjava.manager.event.ResponseEvent;
import org.asteriskjava.manager.response.ManagerError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The link to Asterisk's Manager Interface: login, keep-alive, reconnection with back-off, health
 * {@code ami}. Asterisk-Java blocks in {@code login()} and sends actions from the calling thread, so
 * both run in {@code executeBlocking}; it calls listeners on its own thread, so each event is copied
 * into an {@link AmiEvent} there and handed to our context at once. Every method and every
 * {@link Listener} call runs on the context given to the constructor.
 *
 * <p>Reconnection is ours, never the library's (see {@link SingleSessionConnection}): each session
 * is a fresh connection, so a late event of an old one is recognised and dropped. Delays: a refused
 * login waits {@link AmiTiming#authRetry()} (a wrong secret will not fix itself; hammering Asterisk
 * would only fill its security log); any other failure waits {@link AmiTiming#initialBackoff()},
 * doubling up to {@link AmiTiming#maxBackoff()}, back to the start once a session has stayed up that long.
 *
 * <p>One link per Asterisk in a cluster: before it connects, the link takes a cluster-wide lock named
 * after Asterisk's address (Vert.x shared data; Hazelcast's map lock on a clustered Vert.x, which a
 * member that leaves or dies gives up). The other nodes are standbys: they try again every
 * {@link #LOCK_RETRY} and take over, resync included, once the holder is gone. Not clustered, the
 * lock is local and taken at once.
 */
final class AmiLink {

  private static final Logger LOG = LoggerFactory.getLogger(AmiLink.class);
  static final String COMPONENT = "ami";
  /** How long one try for the cluster-wide lock waits (on a worker thread), and the pause between tries. */
  static final Duration LOCK_WAIT = Duration.ofSeconds(1);
  static final Duration LOCK_RETRY = Duration.ofSeconds(1);

  /** Called on the link's context. */
  interface Listener {
    /** Logged in: a new session whose events follow. */
    void connected();

    void event(AmiEvent event);

    /** The session is gone; events may have been missed until the next {@link #connected()}. */
    void disconnected(String reason);

    /**
     * This node now holds the cluster-wide lock and is about to log in: start serving what only the
     * holder may (requests that need the link). Completes once ready.
     */
    default Future<Void> holding() {
      return Future.succeededFuture();
    }
  }

  private final Vertx vertx;
  private final Context context;
  private final SwitchboardConfig.Ami config;
  private final Health health;
  private final AmiTiming timing;
  private final Listener listener;
  private final String address;
  private final String lockName;
  /** The cluster-wide lock, held from before the first login until stop. */
  private Lock lock;
  /** Told when this node merged back into the cluster after a partition. */
  private io.vertx.core.eventbus.MessageConsumer<Object> merged;

  /** Bumped for every session attempted: events of older sessions are dropped. */
  private int generation;
  /** The logged-in session, null while down (read by the metrics' gauge from its own thread). */
  private volatile SingleSessionConnection session;
  private long sessionStartedAt;
  private Duration backoff;
  private long retryTimer = -1;
  private long pingTimer = -1;
  private long pingTimeoutTimer = -1;
  private boolean stopped;
  private Future<Void> attemptInFlight = Future.succeededFuture();

  private final Metrics metrics;

  /** @param metrics counts every event Asterisk sends */
  AmiLink(Vertx vertx, Context context, SwitchboardConfig.Ami config, Health health, AmiTiming timing, Listener listener,
      Metrics metrics) {
    this.metrics = metrics;
    this.vertx = vertx;
    this.context = context;
    this.config = config;
    this.health = health;
    this.timing = timing;
    this.listener = listener;
    this.address = config.host().orElse("") + ":" + config.port();
    this.lockName = "switchboard.ami.link." + address;
    this.backoff = timing.initialBackoff();
  }

  /**
   * Completes once the first login attempt has an outcome: Asterisk being down or refusing us is
   * reported in health and retried, it never fails the start. Without {@code ami.host}: NOT_CONFIGURED.
   * A standby (another node holds the link) completes at once and keeps trying for the lock.
   */
  Future<Void> start() {
    if (!config.configured()) {
      health.report(COMPONENT, Health.State.NOT_CONFIGURED);
      LOG.info("AMI not configured (ami.host unset): no call state from Asterisk");
      return Future.succeededFuture();
    }
    health.report(COMPONENT, Health.State.STARTING, new JsonObject().put("address", address));
    merged = vertx.eventBus().localConsumer(EventAddresses.CLUSTER_MERGED, m -> partitionHealed());
    return takeLock();
  }

  /**
   * This node was cut off from the cluster and has merged back: while it was away the others took the
   * lock (Hazelcast frees a member's locks when it leaves) and another node may hold the link now. The
   * merge dropped this node's lock, so it gives the link up and stands by, as any node without the lock.
   * The lock is not released: Hazelcast's release is a forced unlock, which would free the new holder's.
   */
  private void partitionHealed() {
    if (stopped || lock == null) {
      return;
    }
    LOG.warn("AMI link given up after a partition: another node may hold it now [address: {}]", address);
    lock = null;
    cancelTimers();
    generation++;
    SingleSessionConnection s = session;
    session = null;
    Future<Void> closed = s == null ? Future.succeededFuture() : close(s);
    if (s != null) {
      listener.disconnected("given up after a partition");
    }
    AmiHolding.standby(vertx, true);
    health.report(COMPONENT, Health.State.UP, new JsonObject().put("address", address).put("role", "standby"));
    Future.join(closed, attemptInFlight).onComplete(x -> {
      if (!stopped) {
        takeLock();
      }
    });
  }

  /** One try for the cluster-wide lock; the holder logs in, a standby tries again later. */
  private Future<Void> takeLock() {
    retryTimer = -1;
    return vertx.sharedData().getLockWithTimeout(lockName, LOCK_WAIT.toMillis()).transform(ar -> {
      if (stopped) {
        if (ar.succeeded()) {
          ar.result().release();
        }
        return Future.<Void>succeededFuture();
      }
      if (ar.failed()) {
        if (!AmiHolding.standby(vertx)) {
          AmiHolding.standby(vertx, true);
          LOG.info("AMI link held by another node, standing by [address: {}]", address);
          // Healthy: the cluster has its link; this node is ready to take it over.
          health.report(COMPONENT, Health.State.UP, new JsonObject().put("address", address).put("role", "standby"));
        }
        retryTimer = vertx.setTimer(LOCK_RETRY.toMillis(), t -> takeLock());
        return Future.<Void>succeededFuture();
      }
      lock = ar.result();
      boolean takeover = AmiHolding.standby(vertx);
      AmiHolding.standby(vertx, false);
      LOG.info("AMI link held by this node{} [address: {}, clustered: {}]", takeover ? ", taking over" : "", address,
          vertx.isClustered());
      return listener.holding().recover(e -> {
        LOG.warn("AMI holder's services not all started [reason: {}]", e.getMessage());
        return Future.succeededFuture();
      }).compose(v -> {
        if (takeover) {
          // Provisioning writes the PJSIP file where the reloads now happen: here.
          vertx.eventBus().publish(EventAddresses.AMI_HOLDER, new AmiHolder(true).toJson(),
              new DeliveryOptions().setLocalOnly(true));
        }
        return stopped ? Future.succeededFuture() : attempt();
      });
    });
  }

  Future<Void> stop() {
    stopped = true;
    if (merged != null) {
      merged.unregister();
    }
    cancelTimers();
    generation++;
    SingleSessionConnection s = session;
    session = null;
    // A login still in progress closes its own connection when it returns (it sees stopped).
    Future<Void> closed = s == null ? Future.succeededFuture() : close(s);
    return Future.join(closed, attemptInFlight).eventually(() -> {
      // Only once logged off: a standby that takes it now finds Asterisk free of our session.
      if (lock != null) {
        lock.release();
        lock = null;
      }
      return Future.succeededFuture();
    }).mapEmpty();
  }

  boolean connected() {
    return session != null;
  }

  /** Sends CoreShowChannels and completes with every channel listed, or fails (not connected, error, timeout). */
  /**
   * Sends an async Originate; completes when Asterisk has queued it (the outcome comes later as an
   * OriginateResponse event carrying the action's id), fails when the link is down or it is refused.
   */
  Future<Void> originate(org.asteriskjava.manager.action.OriginateAction action) {
    return send(action);
  }

  /**
   * Sends one action; completes when Asterisk answers it with success, fails when the link is down,
   * the answer is an error or none comes in time.
   */
  Future<Void> send(org.asteriskjava.manager.action.ManagerAction action) {
    String name = action.getAction();
    SingleSessionConnection s = session;
    if (s == null) {
      return Future.failedFuture(new IllegalStateException("AMI not connected"));
    }
    Promise<Void> result = Promise.promise();
    long timer = vertx.setTimer(timing.responseTimeout().toMillis(),
        t -> result.tryFail("no answer to " + name + " within " + timing.responseTimeout().toSeconds() + " s"));
    vertx.executeBlocking(() -> {
      s.sendAction(action, response -> {
        // Asterisk-Java's thread: copy, then hand over.
        String error = response instanceof ManagerError e ? e.getMessage() : null;
        context.runOnContext(v -> {
          vertx.cancelTimer(timer);
          if (error != null) {
            result.tryFail(name + " refused: " + error);
          } else {
            result.tryComplete();
          }
        });
      });
      return null;
    }, false).onFailure(e -> {
      vertx.cancelTimer(timer);
      result.tryFail(e);
    });
    return result.future();
  }

  Future<List<ChannelSnapshot>> coreShowChannels() {
    SingleSessionConnection s = session;
    if (s == null) {
      return Future.failedFuture("AMI not connected");
    }
    Promise<List<ChannelSnapshot>> result = Promise.promise();
    long timer = vertx.setTimer(timing.responseTimeout().toMillis(),
        t -> result.tryFail("no CoreShowChannelsComplete within " + timing.responseTimeout().toSeconds() + " s"));
    vertx.executeBlocking(() -> {
      s.sendEventGeneratingAction(new CoreShowChannelsAction(), answer -> {
        // Asterisk-Java's thread: copy, then hand over.
        String error = answer.getResponse() instanceof ManagerError e ? e.getMessage() : null;
        List<ChannelSnapshot> listed = new ArrayList<>();
        for (ResponseEvent e : answer.getEvents()) {
          if (e instanceof CoreShowChannelEvent c) {
            listed.add(ChannelSnapshot.of(c));
          }
        }
        context.runOnContext(v -> {
          vertx.cancelTimer(timer);
          if (error != null) {
            result.tryFail("CoreShowChannels refused: " + error);
          } else {
            result.tryComplete(listed);
          }
        });
      });
      return null;
    }, false).onFailure(e -> {
      vertx.cancelTimer(timer);
      result.tryFail(e);
    });
    return result.future();
  }

  // ---- session lifecycle -----------------------------------------------------------------------

  private Future<Void> attempt() {
    retryTimer = -1;
    int gen = ++generation;
    String host = config.host().orElseThrow();
    SingleSessionConnection candidate = new SingleSessionConnection(host, config.port(), config.username(),
        config.secret(), s -> context.runOnContext(v -> lost(s, "connection closed")));
    candidate.setDefaultResponseTimeout(timing.responseTimeout().toMillis());
    candidate.setSocketTimeout((int) timing.responseTimeout().toMillis());
    candidate.addEventListener(listenerFor(gen));
    LOG.debug("AMI connecting [address: {}, session: {}]", address, gen);
    Future<Void> outcome = vertx.executeBlocking(() -> {
      candidate.login("on");
      return null;
    }, false).transform(ar -> {
      if (stopped || gen != generation) {
        return close(candidate);
      }
      if (ar.succeeded()) {
        loggedIn(candidate);
      } else {
        loginFailed(candidate, ar.cause());
      }
      return Future.<Void>succeededFuture();
    });
    attemptInFlight = outcome;
    return outcome;
  }

  private void loggedIn(SingleSessionConnection s) {
    session = s;
    sessionStartedAt = System.nanoTime();
    health.report(COMPONENT, Health.State.UP, new JsonObject().put("address", address));
    LOG.info("AMI logged in [address: {}, user: {}, protocol: {}]", address, config.username(),
        s.getProtocolIdentifier());
    pingTimer = vertx.setPeriodic(timing.pingInterval().toMillis(), t -> ping(s));
    listener.connected();
  }

  private void loginFailed(SingleSessionConnection s, Throwable cause) {
    close(s);
    Duration delay;
    String reason;
    // Asterisk's refusal has no cause; a challenge or login that could not be sent carries the I/O error.
    if (cause instanceof AuthenticationFailedException && cause.getCause() == null) {
      reason = "AMI login refused: check ami.username/ami.secret";
      delay = timing.authRetry();
      LOG.warn("{} [address: {}, user: {}, asterisk: {}]", reason, address, config.username(), cause.getMessage());
    } else {
      reason = "AMI unreachable at " + address + ": " + describe(cause);
      delay = nextBackoff();
      LOG.warn("{} [retry in: {} ms]", reason, delay.toMillis());
    }
    down(reason, delay);
  }

  /** The session ended under us: a closed socket, or an unanswered Ping. */
  private void lost(SingleSessionConnection s, String why) {
    if (s != session) {
      return;
    }
    session = null;
    cancelTimers();
    close(s);
    if (System.nanoTime() - sessionStartedAt >= timing.maxBackoff().toNanos()) {
      backoff = timing.initialBackoff();
    }
    Duration delay = nextBackoff();
    String reason = "AMI link lost: " + why;
    LOG.warn("{} [address: {}, retry in: {} ms]", reason, address, delay.toMillis());
    down(reason, delay);
    listener.disconnected(reason);
  }

  private void down(String reason, Duration retryIn) {
    health.report(COMPONENT, Health.State.DOWN, new JsonObject().put("address", address).put("error", reason)
        .put("retryInSeconds", Math.max(1, Math.round(retryIn.toMillis() / 1000.0))));
    if (!stopped) {
      retryTimer = vertx.setTimer(Math.max(1, retryIn.toMillis()), t -> attempt());
    }
  }

  private Duration nextBackoff() {
    Duration d = backoff;
    Duration doubled = backoff.multipliedBy(2);
    backoff = doubled.compareTo(timing.maxBackoff()) > 0 ? timing.maxBackoff() : doubled;
    return d;
  }

  /** Keep-alive: a silent Asterisk (or a half-open TCP link) shows only when asked. */
  private void ping(SingleSessionConnection s) {
    if (s != session || pingTimeoutTimer != -1) {
      return;
    }
    long timer = vertx.setTimer(timing.responseTimeout().toMillis(), t -> {
      pingTimeoutTimer = -1;
      lost(s, "no answer to Ping within " + timing.responseTimeout().toSeconds() + " s");
    });
    pingTimeoutTimer = timer;
    vertx.executeBlocking(() -> {
      s.sendAction(new PingAction(), response -> context.runOnContext(v -> {
        if (pingTimeoutTimer == timer) {
          vertx.cancelTimer(timer);
          pingTimeoutTimer = -1;
        }
      }));
      return null;
    }, false).onFailure(e -> lost(s, "cannot send Ping: " + describe(e)));
  }

  private ManagerEventListener listenerFor(int gen) {
    // Asterisk-Java's event thread: decide and copy here, handle on our context.
    return event -> {
      metrics.amiEvent();
      AmiEvent copy = AmiEvent.copyOf(event);
      if (copy != null) {
        context.runOnContext(v -> {
          if (gen == generation && !stopped) {
            listener.event(copy);
          }
        });
      }
    };
  }

  private Future<Void> close(SingleSessionConnection s) {
    return vertx.executeBlocking(() -> {
      s.close();
      return null;
    }, false);
  }

  private void cancelTimers() {
    for (long t : new long[] {retryTimer, pingTimer, pingTimeoutTimer}) {
      if (t != -1) {
        vertx.cancelTimer(t);
      }
    }
    retryTimer = -1;
    pingTimer = -1;
    pingTimeoutTimer = -1;
  }

  private static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
  }
}
