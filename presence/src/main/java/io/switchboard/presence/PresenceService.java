package io.switchboard.presence;

import io.switchboard.core.bus.CallStateEvent;
import io.switchboard.core.bus.EventAddresses;
import io.switchboard.core.bus.RegistrationEvent;
import io.switchboard.core.bus.UserEvent;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.health.Health;
import io.switchboard.core.security.SecurityLog;
import io.switchboard.core.sip.SipService;
import io.switchboard.core.store.MongoStore;
import io.switchboard.core.store.UserStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sip.message.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Presence assembled and kept: profiles (manual state, rules, buddies), call states from telephony,
 * registrations from the registrar, and the live subscriptions. Any change to a user recomputes
 * what each of their watchers may see and sends a NOTIFY where it changed; the console gets the
 * same, filtered, as events. All state lives on the SIP context.
 */
public final class PresenceService {

  private static final Logger LOG = LoggerFactory.getLogger(PresenceService.class);

  private final Vertx vertx;
  private final Health health;
  private final SipService sip;
  private final PresenceStore store;
  private final Notifier notifier;
  private final Clock clock;
  private final String domain;
  private final Rule.Action fallback;
  private final Map<String, PresenceProfile> profiles = new HashMap<>();
  private final Map<String, CallStateEvent.State> calls = new HashMap<>();
  private final Map<String, Subscription> subscriptions = new HashMap<>();
  private final Map<String, Set<Subscription>> byPresentity = new HashMap<>();
  /**
   * What each console watcher may see of each buddy, as last told (or as the buddy list showed it):
   * "watcher|presentity" → view; no entry while they may see nothing. Known from start, so that a
   * restart does not make the first change of a steady view news.
   */
  private final Map<String, PresenceView> published = new HashMap<>();
  private final Map<String, Long> manualTimers = new HashMap<>();
  private final Map<String, PresenceView> composed = new HashMap<>();
  /** Users with a web console open: a device like a registered phone. SIP context only. */
  private final java.util.Set<String> consoles = new java.util.HashSet<>();
  /** Live publications (RFC 3903) by entity tag; per user, the latest one counts. */
  private final Map<String, Publication> publications = new HashMap<>();

  /** One device's published state. {@code seq} orders publications: the latest counts. */
  record Publication(String username, String etag, PresenceView view, long seq, long timer) {
  }

  private long publicationSeq;
  private final PresenceBusApi api;
  private final io.switchboard.core.bus.BusConsumers consumers;

  public PresenceService(Vertx vertx, SwitchboardConfig config, Health health, UserStore users, SipService sip,
      MongoStore mongo) {
    this.vertx = vertx;
    this.health = health;
    this.sip = sip;
    this.store = new MongoPresenceStore(vertx, mongo);
    this.notifier = new Notifier(sip.edge());
    this.clock = Clock.systemUTC();
    this.domain = config.sip().domain();
    this.fallback = Rule.Action.fromWire(config.presence().defaultRule());
    this.api = new PresenceBusApi(this, users);
    this.consumers = new io.switchboard.core.bus.BusConsumers(vertx);
    sip.edge().handle(Request.SUBSCRIBE, new SubscribeHandler(this, config.presence(), users, sip.authenticator(),
        sip.edge(), clock, new SecurityLog(vertx, clock)));
    sip.edge().handle(Request.PUBLISH, new PublishHandler(this, config.presence(), users, sip.authenticator(),
        sip.edge(), clock));
  }

  /** Loads profiles and starts listening, on the SIP context. */
  public Future<Void> start() {
    return Future.future(p -> sip.edge().sipContext().runOnContext(v -> store.loadAll().compose(all -> {
      all.forEach(profile -> {
        profiles.put(profile.username(), profile);
        scheduleManualEnd(profile);
      });
      all.forEach(profile -> profile.buddies().forEach(b -> shownChanged(profile.username(), b.username())));
      consumers.<JsonObject>consumer(EventAddresses.REGISTRATION, m -> changed(RegistrationEvent.fromJson(m.body()).username()));
      consumers.<JsonObject>consumer(EventAddresses.CONSOLE_PRESENCE, m -> {
        String user = m.body().getString("username");
        boolean changedNow = m.body().getBoolean("online", false) ? consoles.add(user) : consoles.remove(user);
        if (changedNow) {
          changed(user);
        }
      });
      consumers.<JsonObject>consumer(EventAddresses.CALL_STATE, m -> {
        CallStateEvent e = CallStateEvent.fromJson(m.body());
        calls.put(e.username(), e.state());
        changed(e.username());
      });
      consumers.<JsonObject>consumer(EventAddresses.USER_CHANGED, m -> {
        UserEvent e = UserEvent.fromJson(m.body());
        if (!e.enabled()) {
          endAllOf(e.username());
        }
      });
      reportHealth();
      return api.start();
    }).onComplete(p)));
  }

  /** Stops listening on the bus (the SIP service, stopped after, ends SUBSCRIBE and PUBLISH). */
  public Future<Void> stop() {
    manualTimers.values().forEach(vertx::cancelTimer);
    return consumers.unregisterAll().eventually(api::stop);
  }

  private void reportHealth() {
    health.report("presence", Health.State.UP, new JsonObject().put("subscriptions", subscriptions.size())
        .put("publications", publications.size()));
  }

  Vertx vertx() {
    return vertx;
  }

  String uriOf(String username) {
    return "sip:" + username + "@" + domain;
  }

  Instant now() {
    return clock.instant();
  }

  PresenceProfile profile(String username) {
    return profiles.getOrDefault(username, PresenceProfile.empty(username));
  }

  Rule.Action decide(String presentity, String watcher) {
    return profile(presentity).decide(watcher, fallback);
  }

  /**
   * The presentity's own, unfiltered presence: composed once per change, not once per watcher (a
   * fan-out to 10,000 watchers asks 10,000 times). Every change goes through {@link #changed}, which
   * forgets it.
   */
  PresenceView compose(String username) {
    return composed.computeIfAbsent(username, this::composeNow);
  }

  private PresenceView composeNow(String username) {
    boolean registered = !sip.location().bindings(username).isEmpty() || consoles.contains(username);
    PresenceView published = publications.values().stream().filter(p -> p.username().equals(username))
        .max(java.util.Comparator.comparingLong(Publication::seq)).map(Publication::view).orElse(null);
    return Composer.compose(registered, profile(username).manual(), calls.get(username), published, now());
  }

  // ---- publications (RFC 3903) -------------------------------------------------------------------

  /**
   * Adds or replaces a publication and returns its new entity tag.
   *
   * @param previousEtag the tag it replaces, or null for an initial publication
   */
  String publish(String username, String previousEtag, String etag, PresenceView view, Instant expiresAt) {
    if (previousEtag != null) {
      Publication old = publications.remove(previousEtag);
      if (old != null) {
        vertx.cancelTimer(old.timer());
      }
    }
    long timer = vertx.setTimer(Math.max(1, expiresAt.toEpochMilli() - clock.millis()), id -> unpublish(etag));
    publications.put(etag, new Publication(username, etag, view, ++publicationSeq, timer));
    changed(username);
    return etag;
  }

  Publication publication(String etag) {
    return publications.get(etag);
  }

  void unpublish(String etag) {
    Publication p = publications.remove(etag);
    if (p != null) {
      vertx.cancelTimer(p.timer());
      changed(p.username());
    }
  }

  /** What this watcher may see, or null when nothing (blocked, or waiting for confirmation). */
  PresenceView viewFor(String presentity, String watcher) {
    return switch (decide(presentity, watcher)) {
      case ALLOW -> compose(presentity);
      case POLITE_BLOCK -> PresenceView.OFFLINE;
      case BLOCK, CONFIRM -> null;
    };
  }

  // ---- profile changes (from the API) ------------------------------------------------------------

  /**
   * Changes a profile in the store, atomically (a pending watcher noted by a SUBSCRIBE and a buddy
   * added at the same moment both land), and keeps the newest stored version here: answers may
   * come back in any order.
   *
   * @param change pure; may run more than once, off this context
   * @return the profile as now known, this change included
   */
  Future<PresenceProfile> update(String username, java.util.function.UnaryOperator<PresenceProfile> change) {
    return store.update(profile(username), change).map(stored -> {
      profiles.merge(username, stored, (known, now) -> now.version() >= known.version() ? now : known);
      return profile(username);
    });
  }

  Future<PresenceView> setManual(String username, ManualState manual) {
    return update(username, p -> p.withManual(manual)).map(p -> {
      scheduleManualEnd(p);
      changed(username);
      return compose(username);
    });
  }

  Future<PresenceProfile> setRules(String username, List<Rule> rules) {
    return update(username, p -> p.withRules(rules)).onSuccess(p -> rulesChanged(username));
  }

  Future<PresenceProfile> buddies(String username, java.util.function.UnaryOperator<PresenceProfile> change) {
    // A user's buddies may see the user (allow for buddies): for the user's watchers it is a rule
    // change; and the user's own console list gains or loses an entry.
    return update(username, change).onSuccess(p -> {
      rulesChanged(username);
      p.buddies().forEach(b -> publish(username, b.username()));
      // The user's phones show buddies on BLF keys: provisioning tells them to fetch their files again.
      vertx.eventBus().publish(EventAddresses.BUDDIES_CHANGED, new JsonObject().put("user", username));
    });
  }

  private void scheduleManualEnd(PresenceProfile p) {
    Long old = manualTimers.remove(p.username());
    if (old != null) {
      vertx.cancelTimer(old);
    }
    if (p.manual() != null && p.manual().until() != null) {
      long delay = Math.max(1, p.manual().until().toEpochMilli() - clock.millis());
      manualTimers.put(p.username(), vertx.setTimer(delay, id -> {
        manualTimers.remove(p.username());
        changed(p.username());
      }));
    }
  }

  // ---- subscriptions -----------------------------------------------------------------------------

  void add(Subscription s) {
    subscriptions.put(s.key(), s);
    byPresentity.computeIfAbsent(s.presentity, k -> new HashSet<>()).add(s);
    reportHealth();
    armExpiry(s);
    watcherEvent(s, s.state == Subscription.State.PENDING ? "pending" : "active");
    LOG.info("Subscription {} [watcher: {}, presentity: {}, expires: {}]", s.state.name().toLowerCase(), s.watcher,
        s.presentity, s.expiresAt);
  }

  Subscription find(String callId, String localTag) {
    return subscriptions.get(Subscription.key(callId, localTag));
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

  private Set<Subscription> subscriptionsOf(String presentity) {
    return byPresentity.getOrDefault(presentity, Set.of());
  }

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

  /** A watcher's view and the document that shows it; no document (null) while nothing may be shown. */
  private record Body(WatcherView view, java.util.function.LongFunction<byte[]> render) {
  }

  /** What the subscription's watcher may see now, in its package. */
  private Body body(Subscription s) {
    if (s.state == Subscription.State.PENDING) {
      return new Body(new WatcherView(s.state, null), null); // no state before the presentity consents
    }
    return switch (s.pkg) {
      case PRESENCE -> {
        PresenceView view = viewFor(s.presentity, s.watcher);
        yield new Body(new WatcherView(s.state, view), view == null ? null : v -> Pidf.render(s.presentityUri, view));
      }
      case DIALOG -> {
        Rule.Action action = decide(s.presentity, s.watcher);
        if (action == Rule.Action.BLOCK || action == Rule.Action.CONFIRM) {
          yield new Body(new WatcherView(s.state, null), null);
        }
        CallStateEvent.State call = action == Rule.Action.POLITE_BLOCK ? CallStateEvent.State.IDLE
            : calls.getOrDefault(s.presentity, CallStateEvent.State.IDLE);
        yield new Body(new WatcherView(s.state, call), v -> DialogInfo.render(s.presentityUri, v, call));
      }
      case WINFO -> {
        List<WatcherInfo.Watcher> watchers = subscriptionsOf(s.presentity).stream()
            .filter(w -> w.pkg == EventPackage.PRESENCE && !w.terminated)
            .sorted(java.util.Comparator.comparing(Subscription::key))
            .map(w -> new WatcherInfo.Watcher(w.key(), uriOf(w.watcher), w.state == Subscription.State.PENDING ? "pending" : "active"))
            .toList();
        yield new Body(new WatcherView(s.state, watchers), v -> WatcherInfo.render(s.presentityUri, v, watchers));
      }
    };
  }

  /** Sends the subscription's current view if it changed (or always, with {@code force}: SUBSCRIBE, refresh). */
  Future<Void> notifyCurrent(Subscription s, boolean force) {
    if (s.terminated) {
      return Future.succeededFuture();
    }
    Body body = body(s);
    if (!force && body.view().equals(s.lastSent)) {
      return Future.succeededFuture();
    }
    if (s.notifyInFlight) {
      s.notifyAgain = true; // one NOTIFY at a time per dialog (RFC 6665 §4.2.2); the latest state follows
      s.forceAgain |= force; // a refresh that came meanwhile still gets its own NOTIFY
      return Future.succeededFuture();
    }
    s.notifyInFlight = true;
    s.lastSent = body.view();
    Object shown = body.view().shown();
    byte[] bytes = body.render() == null ? null : body.render().apply(++s.version);
    return notifier.send(s, bytes, null, now()).transform(r -> {
      s.notifyInFlight = false;
      if (!answered(s, r)) {
        return Future.<Void>succeededFuture();
      }
      vertx.eventBus().publish(EventAddresses.PRESENCE_NOTIFIED, new JsonObject().put("presentity", s.presentity)
          .put("watcher", s.watcher).put("package", s.pkg.eventName).put("state", s.state.name().toLowerCase())
          .put("presence", shown instanceof PresenceView view ? view.toJson() : null));
      if (s.notifyAgain) {
        boolean forced = s.forceAgain;
        s.notifyAgain = false;
        s.forceAgain = false;
        return notifyCurrent(s, forced);
      }
      return Future.<Void>succeededFuture();
    });
  }

  /** A watcher that answers a NOTIFY with an error or not at all is dropped (RFC 6665 §4.2.2). */
  private boolean answered(Subscription s, io.vertx.core.AsyncResult<Integer> r) {
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
    notifier.send(s, body == null || body.render() == null ? null : body.render().apply(++s.version), reason, now())
        .onFailure(e -> LOG.debug("final NOTIFY not answered: {}", e.getMessage()));
  }

  private void remove(Subscription s) {
    s.terminated = true;
    if (s.expiryTimer >= 0) {
      vertx.cancelTimer(s.expiryTimer);
    }
    subscriptions.remove(s.key());
    reportHealth();
    Set<Subscription> set = byPresentity.get(s.presentity);
    if (set != null) {
      set.remove(s);
    }
    watcherEvent(s, "terminated");
  }

  /** Watchers of presence are news for the presentity: an event for the console, a NOTIFY for winfo subscribers. */
  private void watcherEvent(Subscription s, String state) {
    if (s.pkg != EventPackage.PRESENCE) {
      return;
    }
    vertx.eventBus().publish(EventAddresses.PRESENCE_WATCHER,
        new JsonObject().put("presentity", s.presentity).put("watcher", s.watcher).put("state", state));
    for (Subscription w : List.copyOf(subscriptionsOf(s.presentity))) {
      if (w.pkg == EventPackage.WINFO && w != s) {
        notifyCurrent(w, false);
      }
    }
  }

  /** A user's presence may have changed: tell the watchers who may see it, over SIP and the bus. */
  void changed(String username) {
    composed.remove(username);
    long started = System.nanoTime();
    List<Future<Void>> sent = List.copyOf(subscriptionsOf(username)).stream().map(s -> notifyCurrent(s, false)).toList();
    publishFor(username);
    if (sent.size() >= 100) {
      Future.join(sent).onComplete(r -> LOG.info("Presence fan-out [presentity: {}, watchers: {}, all answered in: {} ms]",
          username, sent.size(), (System.nanoTime() - started) / 1_000_000));
    }
  }

  /** The presentity changed their rules: each live subscription gets what it now may see. */
  private void rulesChanged(String presentity) {
    for (Subscription s : List.copyOf(subscriptionsOf(presentity))) {
      reevaluate(s);
    }
    publishFor(presentity);
  }

  private void reevaluate(Subscription s) {
    if (s.pkg == EventPackage.WINFO) {
      return; // one's own watcher list: no rules apply
    }
    Rule.Action action = decide(s.presentity, s.watcher);
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

  private void endAllOf(String username) {
    for (Subscription s : List.copyOf(subscriptions.values())) {
      if (s.presentity.equals(username)) {
        terminate(s, "noresource");
      } else if (s.watcher.equals(username)) {
        terminate(s, "deactivated");
      }
    }
  }

  // ---- console events ---------------------------------------------------------------------------

  /** Every user with {@code presentity} on their buddy list hears what they may now see of it. */
  private void publishFor(String presentity) {
    for (PresenceProfile watcher : profiles.values()) {
      if (watcher.hasBuddy(presentity)) {
        publish(watcher.username(), presentity);
      }
    }
  }

  private void publish(String watcher, String presentity) {
    if (!shownChanged(watcher, presentity)) {
      return;
    }
    PresenceView view = published.get(watcher + "|" + presentity);
    vertx.eventBus().publish(EventAddresses.PRESENCE_UPDATE, new JsonObject().put("watcher", watcher)
        .put("presentity", presentity).put("presence", (view == null ? PresenceView.OFFLINE : view).toJson()));
  }

  /**
   * Notes what a console watcher may now see of a presentity and tells whether that changed: as for
   * SIP, only a change of the watcher's own view is news. Nothing (null, no entry) while pending or
   * blocked, so those hear nothing, not even when a buddy is added; offline for polite-block.
   */
  private boolean shownChanged(String watcher, String presentity) {
    String key = watcher + "|" + presentity;
    PresenceView view = viewFor(presentity, watcher);
    PresenceView before = view == null ? published.remove(key) : published.put(key, view);
    return !java.util.Objects.equals(view, before);
  }
}
