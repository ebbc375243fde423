package io.switchboard.presence;

import io.switchboard.api.CallStateEvent;
import io.switchboard.api.EventAddresses;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live SIP subscriptions (RFC 6665): their lifetime, and the NOTIFYs that tell each watcher
 * what it may see, only when that changed. Documents come from {@link Composition}, rendered once
 * per view and shared. SIP context only.
 */
final class Subscriptions {

  private static final Logger LOG = LoggerFactory.getLogger(Subscriptions.class);
  /** NOTIFYs sent in one turn of the SIP context; between turns, other requests (a PUBLISH) are answered. */
  static final int FAN_OUT_BATCH = 100;
  private final int fanOutBatch;

  /**
   * What one watcher may know through one subscription: its own subscription state, and while
   * active the state its package shows. A NOTIFY goes out only when this changes (or on a SUBSCRIBE
   * or refresh), so a watcher whose view cannot move (pending: nothing; polite-block: offline, idle)
   * learns nothing from the timing of the presentity's changes (the presence privacy RFC 3856 asks for).
   *
   * @param shown a PresenceView, a call state or a watcher list; null when the watcher may see nothing
   */
  record WatcherView(Subscription.State state, Object shown) {
  }

  /**
   * A watcher's view and the document that shows it; no document (null) while nothing may be shown.
   * Immutable, so one is shared by every watcher of a fan-out with the same view.
   *
   * @param presence what {@link EventAddresses#PRESENCE_NOTIFIED} says was shown (a presence view's
   *     JSON), or null; made once per body, never changed (the event bus copies what it delivers)
   */
  record Body(WatcherView view, Rendered document, JsonObject presence) {

    Body(WatcherView view, Rendered document) {
      this(view, document, view.shown() instanceof PresenceView shown ? shown.toJson() : null);
    }
  }

  /**
   * What decides a watcher's body in a fan-out, besides the presentity: watchers alike in these get
   * the same body (privacy per watcher is its rules' action), decided and rendered once per change.
   */
  private record Alike(EventPackage pkg, Subscription.State state, PresenceFormat format, Rule.Action action) {
  }

  /**
   * States decided while a dialog's NOTIFY is unanswered wait for it, each sent in turn, so that a
   * watcher sees every state, not just the latest. Beyond this many the oldest waiting one is dropped
   * (state aggregation, which RFC 6665's and RFC 3856's rate limits allow): a watcher slower than the
   * changes gets the latest state soon rather than an ever longer queue.
   */
  static final int QUEUED_PER_DIALOG = 32;

  private final Vertx vertx;
  private final Supplier<Context> context;
  private final WatcherIndex index;
  private final Profiles profiles;
  private final Composition composition;
  private final Notifier notifier;
  private final Clock clock;
  private final Runnable countChanged;
  /** Bumped whenever a presentity's rules change: a fan-out's views decided before it are decided again. */
  private long rulesEpoch;

  Subscriptions(Vertx vertx, Supplier<Context> context, WatcherIndex index, Profiles profiles, Composition composition,
      Notifier notifier, Clock clock, Runnable countChanged, int fanOutBatch) {
    this.fanOutBatch = fanOutBatch;
    this.vertx = vertx;
    this.context = context;
    this.index = index;
    this.profiles = profiles;
    this.composition = composition;
    this.notifier = notifier;
    this.clock = clock;
    this.countChanged = countChanged;
  }

  void add(Subscription s) {
    index.add(s);
    countChanged.run();
    armExpiry(s);
    watcherEvent(s, s.state == Subscription.State.PENDING ? "pending" : "active");
    LOG.info("Subscription {} [watcher: {}, presentity: {}, expires: {}]", s.state.name().toLowerCase(), s.watcher,
        s.presentity, s.expiresAt);
  }

  Subscription find(String callId, String localTag) {
    return index.find(Subscription.key(callId, localTag));
  }

  void refresh(Subscription s, Instant expiresAt) {
    s.expiresAt = expiresAt;
    armExpiry(s);
  }

  private void armExpiry(Subscription s) {
    if (s.expiryTimer >= 0) {
      vertx.cancelTimer(s.expiryTimer);
    }
    long delay = Math.max(1, s.expiresAt.toEpochMilli() - clock.millis());
    s.expiryTimer = vertx.setTimer(delay, id -> terminate(s, "timeout"));
  }

  /**
   * The presentity's presence may have changed: each of its subscriptions hears it when its own
   * view moved. In batches, so that a large fan-out does not hold back other requests.
   *
   * @return completes when every NOTIFY sent was answered (or not)
   */
  Future<Void> fanOut(String presentity) {
    List<Subscription> watchers = index.subscriptionsOf(presentity);
    if (watchers.isEmpty()) {
      return Future.succeededFuture();
    }
    long started = System.nanoTime();
    // Each watcher's view as of this change, decided now: a later change handled between two batches
    // must not stand in for this one at the watchers of the later batches (it would, decided at send
    // time, and then this state would never reach them). Cheap next to sending: views are composed
    // and rendered once per change.
    // Watchers alike (package, state, format, what the rules let them see) share one body, so per
    // watcher only the privacy decision is made here.
    Map<Alike, Body> shared = new HashMap<>();
    Function<String, Rule.Action> rules = profiles.decider(presentity);
    List<Body> bodies = new ArrayList<>(watchers.size());
    for (Subscription s : watchers) {
      if (s.terminated) {
        bodies.add(null);
      } else if (s.pkg == EventPackage.WINFO || s.state == Subscription.State.PENDING) {
        bodies.add(body(s));
      } else {
        Rule.Action action = rules.apply(s.watcher);
        bodies.add(shared.computeIfAbsent(new Alike(s.pkg, s.state, s.format, action), k -> body(s, action)));
      }
    }
    List<Future<Void>> sent = new ArrayList<>(watchers.size());
    Promise<Void> all = Promise.promise();
    batch(watchers, bodies, rulesEpoch, 0, sent, all);
    return all.future().onSuccess(v -> {
      if (watchers.size() >= FAN_OUT_BATCH) {
        LOG.info("Presence fan-out [presentity: {}, watchers: {}, all answered in: {} ms]", presentity, watchers.size(),
            (System.nanoTime() - started) / 1_000_000);
      }
    });
  }

  private void batch(List<Subscription> watchers, List<Body> bodies, long epoch, int from, List<Future<Void>> sent,
      Promise<Void> all) {
    int to = Math.min(watchers.size(), from + fanOutBatch);
    for (int i = from; i < to; i++) {
      Subscription s = watchers.get(i);
      Body decided = bodies.get(i);
      // Rules changed, or the subscription went pending, since it was decided: what it may see now.
      boolean stale = decided == null || epoch != rulesEpoch || decided.view().state() != s.state;
      sent.add(stale ? notifyCurrent(s, false) : notifyWith(s, decided, false));
    }
    if (to < watchers.size()) {
      context.get().runOnContext(v -> batch(watchers, bodies, epoch, to, sent, all));
    } else {
      Future.join(sent).<Void>mapEmpty().recover(e -> Future.succeededFuture()).onComplete(all);
    }
  }

  /** The presentity changed their rules: each live subscription gets what it now may see. */
  void rulesChanged(String presentity) {
    rulesEpoch++;
    for (Subscription s : index.subscriptionsOf(presentity)) {
      reevaluate(s);
    }
  }

  private void reevaluate(Subscription s) {
    if (s.pkg == EventPackage.WINFO) {
      return; // one's own watcher list: no rules apply
    }
    Rule.Action action = profiles.decide(s.presentity, s.watcher);
    if (action == Rule.Action.BLOCK) {
      terminate(s, "rejected");
    } else if (action == Rule.Action.CONFIRM) {
      if (s.state != Subscription.State.PENDING) {
        s.state = Subscription.State.PENDING;
        watcherEvent(s, "pending");
        notifyCurrent(s, true);
      }
    } else {
      if (s.state == Subscription.State.PENDING) {
        s.state = Subscription.State.ACTIVE;
        watcherEvent(s, "active");
        notifyCurrent(s, true);
      } else {
        notifyCurrent(s, false);
      }
    }
  }

  /** A user was disabled or deleted: their subscriptions end, as watcher and as presentity. */
  void endAllOf(String username) {
    for (Subscription s : index.allSubscriptions()) {
      if (s.presentity.equals(username)) {
        terminate(s, "noresource");
      } else if (s.watcher.equals(username)) {
        terminate(s, "deactivated");
      }
    }
  }

  /** What the subscription's watcher may see now, in its package. */
  private Body body(Subscription s) {
    if (s.state == Subscription.State.PENDING) {
      return new Body(new WatcherView(s.state, null), null); // no state before the presentity consents
    }
    return body(s, s.pkg == EventPackage.WINFO ? null : composition.decide(s.presentity, s.watcher));
  }

  /**
   * What an active subscription's watcher may see, given what the presentity's rules let it see
   * ({@code action}; unused for winfo).
   */
  private Body body(Subscription s, Rule.Action action) {
    return switch (s.pkg) {
      case PRESENCE -> {
        PresenceView all = composition.viewUnder(s.presentity, action);
        // A format without devices: a change of the device in use is no news to its watcher.
        PresenceView view = all == null || s.format.showsDevices() ? all : all.withDevices(List.of());
        yield new Body(new WatcherView(s.state, view),
            view == null ? null : composition.presence(s.presentity, view, s.format));
      }
      case DIALOG -> {
        CallStateEvent.State call = composition.callUnder(s.presentity, action);
        yield new Body(new WatcherView(s.state, call), call == null ? null : composition.dialog(s.presentity, call));
      }
      case WINFO -> {
        // One's own watchers, for one's own subscriptions only: rendered per subscription.
        List<WatcherInfo.Watcher> watchers = index.subscriptionsOf(s.presentity).stream()
            .filter(w -> w.pkg == EventPackage.PRESENCE && !w.terminated)
            .sorted(Comparator.comparing(Subscription::key))
            .map(w -> new WatcherInfo.Watcher(w.key(), composition.uriOf(w.watcher),
                w.state == Subscription.State.PENDING ? "pending" : "active"))
            .toList();
        yield new Body(new WatcherView(s.state, watchers), Rendered.perVersion(
            v -> WatcherInfo.render(s.presentityUri, v, watchers)));
      }
    };
  }

  /**
   * Sends the subscription's current view if it changed (or always, with {@code force}: SUBSCRIBE,
   * refresh). One NOTIFY at a time per dialog: while one is unanswered, the view is queued (see
   * {@link #QUEUED_PER_DIALOG}) and sent once the previous one was answered.
   */
  Future<Void> notifyCurrent(Subscription s, boolean force) {
    if (s.terminated) {
      return Future.succeededFuture();
    }
    return notifyWith(s, body(s), force);
  }

  /** As {@link #notifyCurrent}, with the view and document already decided. */
  private Future<Void> notifyWith(Subscription s, Body body, boolean force) {
    if (s.terminated) {
      return Future.succeededFuture();
    }
    if (s.notifyInFlight) {
      Body last = s.queued.peekLast();
      WatcherView latest = last != null ? last.view() : s.lastSent;
      if (force || !body.view().equals(latest)) {
        if (s.queued.size() >= QUEUED_PER_DIALOG) {
          s.queued.pollFirst(); // aggregated: the watcher is slower than the changes
        }
        s.queued.addLast(body);
      }
      return Future.succeededFuture();
    }
    if (!force && body.view().equals(s.lastSent)) {
      return Future.succeededFuture();
    }
    return send(s, body);
  }

  private Future<Void> send(Subscription s, Body body) {
    s.notifyInFlight = true;
    s.lastSent = body.view();
    byte[] bytes = body.document() == null ? null : body.document().withVersion(++s.version);
    return notifier.send(s, bytes, null, clock.instant()).transform(r -> {
      s.notifyInFlight = false;
      if (!answered(s, r)) {
        s.queued.clear();
        return Future.<Void>succeededFuture();
      }
      vertx.eventBus().publish(EventAddresses.PRESENCE_NOTIFIED, new JsonObject().put("presentity", s.presentity)
          .put("watcher", s.watcher).put("package", s.pkg.eventName).put("state", s.state.name().toLowerCase())
          .put("presence", body.presence()));
      Body next = s.queued.pollFirst();
      return next == null || s.terminated ? Future.<Void>succeededFuture() : send(s, next);
    });
  }

  /** A watcher that answers a NOTIFY with an error or not at all is dropped (RFC 6665 §4.2.2). */
  private boolean answered(Subscription s, AsyncResult<Integer> r) {
    if (r.succeeded() && r.result() >= 200 && r.result() < 300) {
      return true;
    }
    LOG.info("Watcher dropped [watcher: {}, presentity: {}]: NOTIFY got {}", s.watcher, s.presentity,
        r.succeeded() ? r.result() : r.cause().getMessage());
    remove(s);
    return false;
  }

  /** Ends a subscription with a final NOTIFY: timeout, rejected, deactivated, noresource. */
  void terminate(Subscription s, String reason) {
    if (s.terminated) {
      return;
    }
    Body body = "rejected".equals(reason) ? null : body(s);
    remove(s);
    byte[] bytes = body == null || body.document() == null ? null : body.document().withVersion(++s.version);
    notifier.send(s, bytes, reason, clock.instant())
        .onFailure(e -> LOG.debug("final NOTIFY not answered: {}", e.getMessage()));
  }

  private void remove(Subscription s) {
    s.terminated = true;
    if (s.expiryTimer >= 0) {
      vertx.cancelTimer(s.expiryTimer);
    }
    index.remove(s);
    countChanged.run();
    watcherEvent(s, "terminated");
  }

  /** Watchers of presence are news for the presentity: an event for the console, a NOTIFY for winfo subscribers. */
  private void watcherEvent(Subscription s, String state) {
    if (s.pkg != EventPackage.PRESENCE) {
      return;
    }
    vertx.eventBus().publish(EventAddresses.PRESENCE_WATCHER,
        new JsonObject().put("presentity", s.presentity).put("watcher", s.watcher).put("state", state));
    for (Subscription w : index.winfoSubscriptionsOf(s.presentity)) {
      if (w != s) {
        notifyCurrent(w, false);
      }
    }
  }
}
