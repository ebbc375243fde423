package io.switchboard.presence;

import io.switchboard.api.presence.BuddiesChanged;
import io.switchboard.api.ConsolePresence;
import io.switchboard.api.BusConsumers;
import io.switchboard.api.CallStateEvent;
import io.switchboard.api.EventAddresses;
import io.switchboard.api.RegistrationEvent;
import io.switchboard.api.UserEvent;
import io.switchboard.api.cluster.ProfileChanged;
import io.switchboard.api.presence.DeviceUsed;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.device.DeviceUses;
import io.switchboard.core.device.DevicesInUse;
import io.switchboard.core.model.Device;
import io.switchboard.core.sip.Binding;
import io.switchboard.core.sip.RetransmissionGuard;
import io.switchboard.core.sip.SipAffinity;
import io.switchboard.core.sip.SipRequest;
import io.switchboard.core.health.Health;
import io.switchboard.core.security.SecurityLog;
import io.switchboard.core.sip.SipService;
import io.switchboard.core.store.DeviceStore;
import io.switchboard.core.store.MongoStore;
import io.switchboard.core.store.UserStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import javax.sip.header.ContactHeader;
import javax.sip.message.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Presence assembled: {@link Profiles} (manual state, rules, buddies), {@link Publications},
 * {@link Composition} (each presentity's presence and its documents, once per change), the
 * {@link WatcherIndex} (presentity → watchers), and the two sides of the fan-out,
 * {@link Subscriptions} (SIP NOTIFY) and {@link ConsoleFanOut} (console events). Any change to a
 * user goes through {@link #changed}, which reaches only that user's watchers. All state lives on
 * the SIP context.
 */
public final class PresenceService {

  private static final Logger LOG = LoggerFactory.getLogger(PresenceService.class);

  private final Vertx vertx;
  private final Health health;
  private final SipService sip;
  private final Clock clock;
  private final WatcherIndex index = new WatcherIndex();
  private final Profiles profiles;
  private final Publications publications;
  private final Composition composition;
  private final Subscriptions subscriptions;
  private final ListSubscriptions lists;
  private final ConsoleFanOut consoles;
  private final Map<String, Long> manualTimers = new HashMap<>();
  private final PresenceBusApi api;
  private final BusConsumers consumers;
  /** Every profile and binding in memory; until then a presentity's own are read on first need. */
  private Future<Void> allLoaded = Promise.<Void>promise().future();
  /** Presentities changed before every buddy list was in: their consoles hear of it once all are. */
  private final Set<String> consoleDue = new LinkedHashSet<>();
  private long loadRetry = -1;
  /** What the background read of the profiles waits for (see {@link #loadAfter}). */
  private Future<Void> loadAfter = Future.succeededFuture();
  /** Publications shared with the other nodes; null on a single node. */
  private final ClusterPublications cluster;
  /** This node's id in a cluster; null on a single node. */
  private final String node;
  /** The last use of each device (DEVICE_USED from every node), for the device in use. */
  private final DevicesInUse inUse;
  private final DeviceUses deviceUses;
  /** Per user, the timer for when their latest use leaves the active window (the device in use may change then). */
  private final Map<String, Long> windowTimers = new HashMap<>();

  public PresenceService(Vertx vertx, SwitchboardConfig config, Health health, UserStore users, SipService sip,
      MongoStore mongo) {
    this(vertx, config, health, users, sip, mongo, null);
  }

  /** @param devices the provisioned devices, whose profiles choose a subscribing phone's presence format */
  public PresenceService(Vertx vertx, SwitchboardConfig config, Health health, UserStore users, SipService sip,
      MongoStore mongo, DeviceStore devices) {
    this(vertx, config, health, users, sip, new MongoPresenceStore(vertx, mongo), Subscriptions.FAN_OUT_BATCH, devices);
  }

  public PresenceService(Vertx vertx, SwitchboardConfig config, Health health, UserStore users, SipService sip,
      PresenceStore store) {
    this(vertx, config, health, users, sip, store, Subscriptions.FAN_OUT_BATCH);
  }

  PresenceService(Vertx vertx, SwitchboardConfig config, Health health, UserStore users, SipService sip,
      PresenceStore store, int fanOutBatch) {
    this(vertx, config, health, users, sip, store, fanOutBatch, null);
  }

  /** @param fanOutBatch NOTIFYs sent per turn of the SIP context in a fan-out (tests make it small) */
  PresenceService(Vertx vertx, SwitchboardConfig config, Health health, UserStore users, SipService sip,
      PresenceStore store, int fanOutBatch, DeviceStore devices) {
    this.vertx = vertx;
    this.health = health;
    this.sip = sip;
    this.clock = Clock.systemUTC();
    this.profiles = new Profiles(store, index, Rule.Action.fromWire(config.presence().defaultRule()));
    this.publications = new Publications(vertx, clock);
    this.inUse = new DevicesInUse(Duration.ofSeconds(config.presence().activeWindowSeconds()));
    this.deviceUses = new DeviceUses(vertx, devices, clock);
    this.composition = new Composition(sip.location(), profiles, publications, clock, config.sip().domain(), inUse);
    this.subscriptions = new Subscriptions(vertx, sip.edge()::sipContext, index, profiles, composition,
        new Notifier(sip.edge(), sip.metrics()), clock, this::reportHealth, fanOutBatch);
    this.lists = new ListSubscriptions(vertx, index, profiles, composition, new Notifier(sip.edge(), sip.metrics()), clock,
        config.presence().listMinIntervalMillis(), config.sip().domain(),
        (buddy, owner) -> update(buddy, p -> p.withPending(owner, clock.instant()))
            .onFailure(e -> LOG.warn("Pending list watcher not noted [presentity: {}, watcher: {}, reason: {}]", buddy,
                owner, e.getMessage())));
    for (EventPackage pkg : EventPackage.values()) {
      sip.metrics().subscriptionsActive(pkg.eventName, () -> index.subscriptionCount(pkg));
    }
    this.consoles = new ConsoleFanOut(vertx, index, composition);
    this.api = new PresenceBusApi(this, users);
    this.consumers = new BusConsumers(vertx);
    // In a cluster every node keeps every publication (see ClusterPublications).
    this.node = sip.location().node();
    this.cluster = node == null ? null : new ClusterPublications(vertx, node);
    sip.edge().handle(Request.SUBSCRIBE, new SubscribeHandler(this, config.presence(), users, sip.authenticator(),
        sip.edge(), clock, new SecurityLog(vertx, clock), new WatcherDevices(sip.location(), devices)));
    // Over UDP without a server transaction, retransmissions answered by the guard with the original's
    // 200 (its SIP-ETag): a transaction per PUBLISH, kept 32 s, cost more than the publication itself.
    sip.edge().handleWithoutTransaction(Request.PUBLISH, new RetransmissionGuard(new PublishHandler(this,
        config.presence(), users, sip.authenticator(), sip.edge(), clock), clock), SipAffinity.HOME);
  }

  /**
   * Starts listening, on the SIP context, and reads the profiles in the background: done at once.
   * Until every profile and binding is in, a SUBSCRIBE waits for its presentity's own
   * ({@link #ready}), the consoles' requests and their fan-out for all ({@link #allLoaded}).
   */
  public Future<Void> start() {
    return Future.future(p -> sip.edge().sipContext().runOnContext(v -> {
      loadAfter.onComplete(x -> sip.edge().sipContext().runOnContext(y -> loadProfiles()));
      Promise<Void> loaded = Promise.promise();
      allLoaded = loaded.future();
      // The bindings may complete elsewhere: back on this context, where presence state lives.
      Future.all(profiles.allLoaded(), sip.location().allLoaded()).onComplete(r -> sip.edge().sipContext().runOnContext(x -> {
        // What consoles missed while the buddy lists were still coming in.
        consoleDue.forEach(consoles::publishFor);
        consoleDue.clear();
        loaded.complete();
      }));
      consumers.<JsonObject>consumer(EventAddresses.REGISTRATION, m -> {
        String user = RegistrationEvent.fromJson(m.body()).username();
        changed(user);
        lookUpKinds(user);
      });
      consumers.<JsonObject>consumer(EventAddresses.DEVICE_USED, m -> deviceUsed(DeviceUsed.fromJson(m.body())));
      if (cluster != null) {
        consumers.<JsonObject>consumer(EventAddresses.PRESENCE_PUBLICATION, m -> cluster.apply(m.body(), this));
        consumers.<JsonObject>consumer(EventAddresses.PRESENCE_PROFILE, m -> profileChangedElsewhere(ProfileChanged.fromJson(m.body())));
      }
      consumers.<JsonObject>consumer(EventAddresses.CONSOLE_PRESENCE, m -> {
        ConsolePresence console = ConsolePresence.fromJson(m.body());
        String user = console.username();
        if (composition.console(user, console.online())) {
          changed(user);
        }
      });
      consumers.<JsonObject>consumer(EventAddresses.CALL_STATE, m -> {
        CallStateEvent e = CallStateEvent.fromJson(m.body());
        composition.call(e.username(), e.state());
        changed(e.username());
      });
      consumers.<JsonObject>consumer(EventAddresses.CONFERENCE_CHANGED, m -> {
        var c = io.switchboard.api.telephony.ConferenceState.fromJson(m.body());
        composition.conference(c.room(), c.active(), c.members()).forEach(this::changed);
      });
      consumers.<JsonObject>consumer(EventAddresses.USER_CHANGED, m -> {
        UserEvent e = UserEvent.fromJson(m.body());
        if (!e.enabled()) {
          subscriptions.endAllOf(e.username());
          lists.endAllOf(e.username());
        }
      });
      reportHealth();
      api.start().onComplete(p);
    }));
  }

  // ---- the device in use ----------------------------------------------------------------------

  /** A device of the user was used (on any node): the device in use may have changed. SIP context. */
  private void deviceUsed(DeviceUsed e) {
    inUse.used(e);
    Device.Kind kind = Device.Kind.fromWire(e.kind());
    if (kind != null) {
      composition.kind(e.device(), kind);
    }
    changed(e.username());
    // When this use leaves the window, "active only on the mobile" may end: compose again then.
    Long old = windowTimers.remove(e.username());
    if (old != null) {
      vertx.cancelTimer(old);
    }
    long delay = Math.max(1, e.at() + inUse.window().toMillis() - clock.millis() + 1);
    windowTimers.put(e.username(), vertx.setTimer(delay, id -> {
      windowTimers.remove(e.username());
      changed(e.username());
    }));
  }

  /** The provisioned devices among the user's bindings whose class is not known yet: read it, then compose again. */
  private void lookUpKinds(String user) {
    for (Binding b : sip.location().bindings(user)) {
      String id = DeviceUses.idOf(b);
      if (b.device() != null && !composition.knowsKind(id)) {
        deviceUses.kindOf(b).onSuccess(kind -> sip.edge().sipContext().runOnContext(v -> {
          composition.kind(id, kind);
          changed(user);
        }));
      }
    }
  }

  /** The user used the device this request came from (a PUBLISH with a body). Any context. */
  void used(SipRequest req, String user, String how) {
    ContactHeader contact = (ContactHeader) req.request().getHeader(ContactHeader.NAME);
    deviceUses.usedFrom(sip.location().bindings(user), req.sourceHost() + ":" + req.sourcePort(),
        contact == null ? null : contact.getAddress().getURI().toString(), how);
  }

  private void loadProfiles() {
    long started = System.nanoTime();
    profiles.loadAll(this::scheduleManualEnd)
        .onSuccess(x -> LOG.info("Presence profiles loaded [took: {} ms]", (System.nanoTime() - started) / 1_000_000))
        .onFailure(e -> {
          LOG.warn("Presence profiles not loaded, retrying in 5 s (presentities are read one by one meanwhile) "
              + "[reason: {}]", e.getMessage());
          loadRetry = vertx.setTimer(5000, t -> loadProfiles());
        });
  }

  /**
   * Holds the background read of every profile back until {@code gate} completes: the server starts
   * it once it serves. Before {@link #start()}.
   */
  public void loadAfter(Future<Void> gate) {
    this.loadAfter = gate;
  }

  /** Completes once every stored profile is in memory. */
  public Future<Void> profilesLoaded() {
    return profiles.allLoaded();
  }

  /** Completes once every profile and every binding is in memory (the consoles wait for it). */
  Future<Void> allLoaded() {
    return allLoaded;
  }

  /**
   * Completes once what a subscription to the presentity depends on is here: their profile (rules,
   * buddies, manual state) and their bindings. At once after start-up's reads.
   */
  Future<Void> ready(String presentity) {
    if (allLoaded.isComplete()) {
      return Future.succeededFuture();
    }
    return Future.all(profiles.loaded(presentity), sip.location().loaded(presentity)).mapEmpty();
  }

  /** Stops listening on the bus (the SIP service, stopped after, ends SUBSCRIBE and PUBLISH). */
  public Future<Void> stop() {
    manualTimers.values().forEach(vertx::cancelTimer);
    windowTimers.values().forEach(vertx::cancelTimer);
    vertx.cancelTimer(loadRetry);
    return consumers.unregisterAll().eventually(api::stop);
  }

  private void reportHealth() {
    health.report("presence", Health.State.UP, new JsonObject().put("subscriptions", index.subscriptionCount())
        .put("publications", publications.size()));
  }

  Vertx vertx() {
    return vertx;
  }

  String uriOf(String username) {
    return composition.uriOf(username);
  }

  Instant now() {
    return clock.instant();
  }

  PresenceProfile profile(String username) {
    return profiles.of(username);
  }

  Rule.Action decide(String presentity, String watcher) {
    return profiles.decide(presentity, watcher);
  }

  /** What this watcher may see, or null when nothing (blocked, or waiting for confirmation). */
  PresenceView viewFor(String presentity, String watcher) {
    return composition.viewFor(presentity, watcher);
  }

  /**
   * A user's presence may have changed: tell the watchers who may see it, over SIP and the bus.
   * Only the user's own watchers, from the index; the presence is composed once and each view's
   * documents rendered once.
   */
  void changed(String username) {
    composition.forget(username);
    // Subscriptions exist only to presentities that are ready (see SubscribeHandler).
    subscriptions.fanOut(username);
    lists.changed(username);
    if (allLoaded.succeeded()) {
      consoles.publishFor(username);
    } else {
      consoleDue.add(username); // its console watchers are not all known yet
    }
  }

  // ---- publications (RFC 3903) -------------------------------------------------------------------

  /**
   * Adds or replaces a publication and returns its entity tag. Its watchers are not told yet: the
   * caller answers the PUBLISH first, then calls {@link #changed}.
   *
   * @param previousEtag the tag it replaces, or null for an initial publication
   */
  String publish(String username, String previousEtag, String etag, PresenceView view, Instant expiresAt) {
    publishHere(username, previousEtag, etag, view, expiresAt);
    if (cluster != null) {
      cluster.published(username, previousEtag, etag, view, expiresAt);
    }
    return etag;
  }

  /** As {@link #publish}, on this node only (another node's publication). */
  void publishHere(String username, String previousEtag, String etag, PresenceView view, Instant expiresAt) {
    int before = publications.size();
    publications.put(username, previousEtag, etag, view, expiresAt, expired -> {
      reportHealth();
      changed(expired);
    });
    if (publications.size() != before) { // a refresh or a modification replaces one: the count stays
      reportHealth();
    }
  }

  Publications.Publication publication(String etag) {
    return publications.find(etag);
  }

  /** Removes a publication; as for {@link #publish}, the caller calls {@link #changed} once it answered. */
  void unpublish(String etag) {
    Publications.Publication gone = unpublishHere(etag);
    if (cluster != null && gone != null) {
      cluster.removed(gone.username(), etag);
    }
  }

  /** As {@link #unpublish}, on this node only. */
  Publications.Publication unpublishHere(String etag) {
    Publications.Publication gone = publications.remove(etag);
    reportHealth();
    return gone;
  }

  // ---- profile changes (from the API) ------------------------------------------------------------

  /** @see Profiles#update (a pending watcher noted; other writes go through the methods below) */
  Future<PresenceProfile> update(String username, UnaryOperator<PresenceProfile> change) {
    return update(username, ProfileChanged.What.PENDING, change);
  }

  /** Writes the profile; in a cluster the other nodes are told to read it again. */
  private Future<PresenceProfile> update(String username, ProfileChanged.What what, UnaryOperator<PresenceProfile> change) {
    return profiles.update(username, change).onSuccess(p -> {
      if (node != null) {
        vertx.eventBus().publish(EventAddresses.PRESENCE_PROFILE, new ProfileChanged(node, username, what).toJson());
      }
    });
  }

  /**
   * Another node wrote a user's profile (the console or the API there): read it, and tell this node's
   * watchers what the write would have told them here, so that a manual state, a rule or a buddy
   * takes effect on every node at once.
   */
  private void profileChangedElsewhere(ProfileChanged m) {
    if (node.equals(m.from())) {
      return;
    }
    String user = m.user();
    boolean rules = m.what() == ProfileChanged.What.RULES || m.what() == ProfileChanged.What.BUDDIES;
    if (rules) {
      consoles.remember(user); // what each console watcher saw before
    }
    profiles.reload(user).onSuccess(p -> {
      switch (m.what()) {
        case MANUAL -> {
          scheduleManualEnd(p);
          changed(user);
        }
        case RULES -> rulesChanged(user);
        case BUDDIES -> {
          rulesChanged(user);
          p.buddies().forEach(b -> consoles.publish(user, b.username()));
        }
        case PENDING -> { } // read again for the pending list asked here; nobody to tell
      }
    }).onFailure(e -> LOG.warn("Presence profile changed on node {} not read [user: {}, reason: {}]", m.from(), user,
        e.getMessage()));
  }

  Future<PresenceView> setManual(String username, ManualState manual) {
    return update(username, ProfileChanged.What.MANUAL, p -> p.withManual(manual)).map(p -> {
      scheduleManualEnd(p);
      changed(username);
      return composition.compose(username);
    });
  }

  Future<PresenceProfile> setRules(String username, List<Rule> rules) {
    consoles.remember(username); // what each console watcher saw before the rules change
    return update(username, ProfileChanged.What.RULES, p -> p.withRules(rules)).onSuccess(p -> rulesChanged(username));
  }

  Future<PresenceProfile> buddies(String username, UnaryOperator<PresenceProfile> change) {
    // A user's buddies may see the user (allow for buddies): for the user's watchers it is a rule
    // change; and the user's own console list gains or loses an entry.
    consoles.remember(username);
    return update(username, ProfileChanged.What.BUDDIES, change).onSuccess(p -> {
      rulesChanged(username);
      p.buddies().forEach(b -> consoles.publish(username, b.username()));
      // The user's phones show buddies on BLF keys: provisioning tells them to fetch their files again.
      vertx.eventBus().publish(EventAddresses.BUDDIES_CHANGED, new BuddiesChanged(username).toJson());
    });
  }

  /** The presentity changed their rules: each live subscription and console watcher gets what it now may see. */
  private void rulesChanged(String presentity) {
    subscriptions.rulesChanged(presentity);
    lists.changed(presentity); // the buddy's rules, or the owner's list itself
    consoles.publishFor(presentity);
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

  // ---- subscriptions (from SubscribeHandler) -----------------------------------------------------

  void add(Subscription s) {
    subscriptions.add(s);
  }

  Subscription find(String callId, String localTag) {
    return subscriptions.find(callId, localTag);
  }

  void refresh(Subscription s, Instant expiresAt) {
    subscriptions.refresh(s, expiresAt);
  }

  Future<Void> notifyCurrent(Subscription s, boolean force) {
    return subscriptions.notifyCurrent(s, force);
  }

  void terminate(Subscription s, String reason) {
    subscriptions.terminate(s, reason);
  }

  // ---- buddy-list subscriptions (RFC 4662, from SubscribeHandler) --------------------------------

  /** The buddies a list URI shows: the owner's whole list, or one group of it (null: every group). */
  List<PresenceProfile.Buddy> listMembers(String owner, String group) {
    return lists.members(owner, group);
  }

  void addList(ListSubscription l) {
    lists.add(l);
  }

  ListSubscription findList(String callId, String localTag) {
    return lists.find(callId, localTag);
  }

  void refreshList(ListSubscription l, Instant expiresAt) {
    lists.refresh(l, expiresAt);
  }

  void fetchList(ListSubscription l) {
    lists.fetch(l);
  }

  void terminateList(ListSubscription l, String reason) {
    lists.terminate(l, reason);
  }
}
