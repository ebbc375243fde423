package io.switchboard.im;

import io.switchboard.api.ConsolePresence;
import io.switchboard.api.EventAddresses;
import io.switchboard.api.RegistrationEvent;
import io.switchboard.core.sip.Binding;
import io.switchboard.core.sip.LocationService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Store-and-forward: when a device registers (or refreshes), or a web console of the user's opens
 * ({@code CONSOLE_PRESENCE} online), the user's stored messages go to that device or console one at
 * a time, oldest first, each marked delivered only after the device's 2xx (the console: once written
 * to its socket). The first failure stops the run, so the order holds; the rest wait for the next
 * registration or console. Stored messages past the maximum age expire.
 *
 * <p>In a cluster every node hears a registration (and a console's "online"), so each message is
 * claimed in the store before it is sent ({@link MessageStore#claim}, atomic there): one node sends
 * it, the others end their run at it. The claim is a lease of {@link #LEASE}, longer than a device's
 * transaction timeout: a node that dies while sending leaves the message to the next registration
 * once the lease has lapsed.
 */
final class StoredDelivery {

  private static final Logger LOG = LoggerFactory.getLogger(StoredDelivery.class);
  /** How long a claim holds a message for this node: above the 32 s a MESSAGE may wait for its answer (64 × T1). */
  static final Duration LEASE = Duration.ofSeconds(60);

  private final Vertx vertx;
  private final LocationService location;
  private final MessageStore store;
  private final DeviceDelivery delivery;
  private final MessageRouter router;
  private final Clock clock;
  private final Duration maxAge;
  /** Whether a stored message is still to be sent (a broadcast's copy: while the broadcast is current). */
  private final java.util.function.Function<StoredMessage, Future<Boolean>> due;
  /** Users with a delivery run in progress: one run per user at a time, so nothing goes twice. */
  private final Set<String> running = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /**
   * Users who may have stored messages, with a count bumped by each new one, so that a phone's
   * routine re-REGISTER (every minute or so, per phone) costs no store query when nothing waits,
   * and a message stored during a run keeps its user listed.
   */
  private final java.util.Map<String, Long> waiting = new java.util.concurrent.ConcurrentHashMap<>();
  /**
   * Users whose stored messages were read since start. Anyone else may have some from before a restart:
   * their first registration or console reads them once (one indexed query), instead of a read of
   * every stored message at start, which took over a minute with 100,000 waiting (bench/million.sh).
   */
  private final Set<String> checked = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final io.switchboard.api.BusConsumers consumers;
  /** This node, as named in the claims it makes. */
  private final String node;
  private long expiry = -1;

  StoredDelivery(Vertx vertx, LocationService location, MessageStore store, DeviceDelivery delivery,
      MessageRouter router, Clock clock, Duration maxAge, java.util.function.Function<StoredMessage, Future<Boolean>> due) {
    this.vertx = vertx;
    this.location = location;
    this.store = store;
    this.delivery = delivery;
    this.router = router;
    this.clock = clock;
    this.maxAge = maxAge;
    this.due = due;
    this.consumers = new io.switchboard.api.BusConsumers(vertx);
    this.node = io.switchboard.core.ha.NodeIdentity.of(vertx);
  }

  /**
   * Call on the home SIP context: listens to registrations and expires old messages every minute.
   * Its sets are concurrent all the same: a message's writes may complete on its recipient's context.
   */
  Future<Void> start() {
    expiry = vertx.setPeriodic(60_000, id -> expire());
    return consumers.<JsonObject>consumer(EventAddresses.REGISTRATION, msg -> {
      RegistrationEvent e = RegistrationEvent.fromJson(msg.body());
      if (e.change() == RegistrationEvent.Change.REGISTERED || e.change() == RegistrationEvent.Change.REFRESHED) {
        // In a cluster every node hears this: the node holding the device's flow delivers.
        location.bindings(e.username()).stream().filter(b -> b.contact().equals(e.contact()))
            .filter(b -> !location.heldElsewhere(b)).findFirst()
            .ifPresent(b -> deliverTo(e.username(), b));
      }
    })
        .compose(v -> consumers.<JsonObject>consumer(EventAddresses.CONSOLE_PRESENCE, msg -> {
          ConsolePresence console = ConsolePresence.fromJson(msg.body());
          String username = console.username();
          boolean online = console.online();
          router.consolePresence(username, online);
          if (online) {
            deliverToConsole(username);
          }
        }))
        .compose(v -> consumers.<JsonObject>consumer(EventAddresses.IM_MESSAGE, msg -> {
          if (MessageState.STORED.name().equals(msg.body().getString("state"))) {
            waiting.merge(msg.body().getString("to"), 1L, Long::sum);
          }
        }))
        .compose(v -> expire());
  }

  /** Stops listening and expiring. */
  Future<Void> stop() {
    vertx.cancelTimer(expiry);
    return consumers.unregisterAll();
  }

  void deliverTo(String username, Binding device) {
    run(username, "contact " + device.contact(), () -> delivery.views(List.of(device)).map(views -> views.get(0))
        .compose(view -> !DeviceDelivery.canShowMessages(view) ? Future.succeededFuture(false)
            : store.storedFor(username).compose(messages -> sendInOrder(messages, m -> delivery.send(m, view)
                .map(status -> status >= 200 && status < 300)
                .onSuccess(ok -> {
                  if (ok) {
                    router.deliveredBy(m, MessageRouter.sendsImdn(m, view));
                  }
                }), "contact " + device.contact(), 0))));
  }

  /**
   * A console of the user's opened: their stored messages go to it, as to a registering device; not a
   * broadcast's copies, which wait for a phone (the console shows broadcasts in its ticker).
   */
  void deliverToConsole(String username) {
    run(username, "web console", () -> store.storedFor(username).compose(stored -> {
      List<StoredMessage> messages = stored.stream().filter(m -> Broadcast.copyOf(m) == null).toList();
      return sendInOrder(messages, m -> router.toConsole(m).map(true).onSuccess(ok -> router.deliveredBy(m, false)),
          "web console", 0).map(all -> all && messages.size() == stored.size());
    }));
  }

  /** One run per user at a time, and none when nothing waits. */
  private void run(String username, String where, java.util.function.Supplier<Future<Boolean>> delivering) {
    Long listed = waiting.get(username);
    if (listed == null && checked.contains(username) || !running.add(username)) {
      return;
    }
    checked.add(username);
    delivering.get().onComplete(r -> {
      running.remove(username);
      boolean all = r.succeeded() && r.result();
      if (!all && listed == null) {
        waiting.putIfAbsent(username, 0L); // some stay stored: the next registration tries again
      }
      if (all && (listed == null ? waiting.containsKey(username) : !waiting.remove(username, listed))) {
        // Another was stored during the run, after its list was read: the target just took every
        // message, so it goes now, after the others, rather than at the next registration.
        run(username, where, delivering);
      }
      if (r.failed()) {
        LOG.warn("Stored delivery failed [user: {}, to: {}]: {}", username, where, r.cause().getMessage());
      }
    });
  }

  /**
   * @param send true when the target took the message
   * @return true when every message went through
   */
  private Future<Boolean> sendInOrder(List<StoredMessage> messages,
      java.util.function.Function<StoredMessage, Future<Boolean>> send, String where, int index) {
    if (index >= messages.size()) {
      return Future.succeededFuture(true);
    }
    StoredMessage m = messages.get(index);
    return due.apply(m).compose(stillDue -> stillDue ? claimAndSend(messages, send, where, index)
        : sendInOrder(messages, send, where, index + 1));
  }

  private Future<Boolean> claimAndSend(List<StoredMessage> messages,
      java.util.function.Function<StoredMessage, Future<Boolean>> send, String where, int index) {
    StoredMessage m = messages.get(index);
    java.time.Instant now = clock.instant();
    return store.claim(m.id(), node, now, now.plus(LEASE)).compose(claimed -> {
      if (!claimed) {
        // Another node is sending it (it heard the same registration), or it went meanwhile: the rest is theirs.
        LOG.debug("Stored message claimed elsewhere or gone, run ends [id: {}, via: {}]", m.id(), where);
        return Future.succeededFuture(false);
      }
      return send.apply(m).transform(r -> {
        if (r.succeeded() && r.result()) {
          LOG.info("Stored message delivered [id: {}, to: {}, via: {}]", m.id(), m.to(), where);
          return router.markDelivered(m).compose(d -> sendInOrder(messages, send, where, index + 1));
        }
        LOG.info("Stored message not accepted, kept for later [id: {}, via: {}]: {}", m.id(), where,
            r.succeeded() ? "refused" : r.cause().getMessage());
        return store.unclaim(m.id(), node).map(false);
      });
    });
  }

  Future<Void> expire() {
    return store.expireBefore(clock.instant().minus(maxAge)).map(expired -> {
      expired.forEach(m -> {
        LOG.info("Stored message expired [id: {}, to: {}]", m.id(), m.to());
        router.expired(m);
      });
      return null;
    });
  }
}
