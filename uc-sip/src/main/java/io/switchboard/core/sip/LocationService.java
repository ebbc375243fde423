package io.switchboard.core.sip;

import io.switchboard.api.EventAddresses;
import io.switchboard.api.cluster.BindingChanged;
import io.switchboard.api.RegistrationEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where each user can be reached right now: their bindings, kept in memory for lookups, expired by
 * a periodic sweep, and kept in a {@link BindingStore}. Every change is published as a
 * {@link RegistrationEvent}. A user's REGISTERs change their bindings on that user's SIP context,
 * revocations and the sweep on the home context: the maps are concurrent, and reads are safe from
 * any thread.
 *
 * <p>New bindings, changed contacts and removals are written through: done once stored. A refresh
 * (the same binding, same contact and way back, with a new expiry, Call-ID or CSeq) is done once in
 * memory and written behind: at most {@code writeBehind} later, coalesced per binding into one
 * bulk, and at {@link #stop()}. The trade-off is Kamailio's usrloc {@code db_mode} 2: after a crash a
 * refreshed binding comes back with the expiry of its last write, and a phone whose binding expired
 * early registers again at its next refresh. Writes reach the store in the order they were
 * submitted ({@link #writeOrder}), so a removal is never overtaken by an older refresh.
 *
 * <p>Start-up does not wait for the stored bindings (200,000 of them took seconds to read): they are
 * read in the background, and until they are in, a user's own are read from the store on first need
 * ({@link #loaded}, one indexed query). A user is known once their bindings are in memory, by either
 * way, and only known users are ever changed, so the background read adds a user only if still
 * unknown (its copy cannot be older than a change that was made here).
 */
public final class LocationService {

  private static final Logger LOG = LoggerFactory.getLogger(LocationService.class);

  private final Vertx vertx;
  private final BindingStore store;
  private final Clock clock;
  private final Map<String, Map<String, Binding>> byUser = new ConcurrentHashMap<>();
  /** Counts revocations (a user disabled or deleted); see {@link #mark()}. */
  private final AtomicLong revocations = new AtomicLong();
  /** Per user, the count at their last revocation. */
  private final Map<String, Long> revokedAt = new ConcurrentHashMap<>();
  /** Refreshes not written yet, by binding id; each replaces the one before. */
  private final Map<String, Binding> unwritten = new ConcurrentHashMap<>();
  /**
   * Held while a write is submitted together with what it does to {@link #unwritten}, so that a
   * binding's writes reach the store's queue (which keeps their order) in the order they were decided.
   */
  private final Object writeOrder = new Object();
  private final Duration writeBehind;
  /** Completes once every stored binding is in memory; until then users are read on first need. */
  private final Promise<Void> allLoaded = Promise.promise();
  private volatile boolean complete;
  private volatile boolean stopped;
  /** What the background read waits for: nothing, unless the server holds it back until it serves. */
  private Future<Void> loadAfter = Future.succeededFuture();
  private long sweepTimer = -1;
  /**
   * No binding expires before this (epoch ms): the sweep walks the bindings only once one may have. Each
   * binding kept lowers it to its own expiry; each walk sets it to the earliest it saw. With 200,000
   * bindings a walk every second was the SIP event loop's largest cost after start-up.
   */
  private final AtomicLong nextExpiry = new AtomicLong(Long.MAX_VALUE);
  private long flushTimer = -1;
  /** This node's id in a cluster (bindings made here are stamped with it); null on a single node. */
  private volatile String node;
  /** Nodes that left the cluster: their bindings are kept until they expire, and nothing is sent through them. */
  private final java.util.Set<String> goneNodes = ConcurrentHashMap.newKeySet();

  /** With refreshes written behind within a second. */
  public LocationService(Vertx vertx, BindingStore store, Clock clock) {
    this(vertx, store, clock, Duration.ofSeconds(1));
  }

  /** @param writeBehind how long a refresh may wait for its write; zero writes every refresh before it is done */
  public LocationService(Vertx vertx, BindingStore store, Clock clock, Duration writeBehind) {
    this.vertx = vertx;
    this.store = store;
    this.clock = clock;
    this.writeBehind = writeBehind;
  }

  /**
   * Starts the sweep and reads the stored bindings in the background (dropping those that expired
   * while we were down): done at once, see {@link #loaded} and {@link #allLoaded}.
   */
  public Future<Void> start() {
    sweepTimer = vertx.setPeriodic(1000, id -> sweep());
    if (!writeBehind.isZero()) {
      flushTimer = vertx.setPeriodic(writeBehind.toMillis(), id -> flush()
          .onFailure(e -> LOG.warn("cannot write refreshed bindings yet [waiting: {}]: {}", unwritten.size(),
              e.getMessage())));
    }
    return store.prepare().onSuccess(v -> loadAfter.onComplete(x -> loadAll()));
  }

  /**
   * Holds the background read of every binding back until {@code gate} completes: the server starts
   * it once it serves, so that start-up's own store calls are not queued behind 200,000 documents.
   * Before {@link #start()}.
   */
  public void loadAfter(Future<Void> gate) {
    this.loadAfter = gate;
  }

  private void loadAll() {
    long started = System.nanoTime();
    // Grouped and adopted off the event loops (200,000 bindings): the maps are concurrent, each user's put at once.
    store.loadAll().compose(all -> vertx.executeBlocking(() -> {
      Map<String, List<Binding>> byName = new HashMap<>();
      for (Binding b : all) {
        byName.computeIfAbsent(b.username(), u -> new ArrayList<>(2)).add(b);
      }
      int[] counts = new int[3]; // restored, expired while down, users already known
      byName.forEach((username, bindings) -> adopt(username, bindings, counts));
      return counts;
    }, false)).onSuccess(counts -> {
      complete = true;
      allLoaded.tryComplete();
      LOG.info("Location service [bindings restored: {}, expired while down: {}, users read on demand first: {}, took: {} ms]",
          counts[0], counts[1], counts[2], (System.nanoTime() - started) / 1_000_000);
    }).onFailure(e -> {
      if (!stopped) {
        LOG.warn("Stored bindings not read, retrying in 5 s (users are read one by one meanwhile) [reason: {}]",
            e.getMessage());
        vertx.setTimer(5000, t -> loadAll());
      }
    });
  }

  /**
   * Makes the user known with what the store holds, unless they are known already (then what is in
   * memory is newer or the same). Bindings that expired while we were down are dropped from the store.
   */
  private void adopt(String username, List<Binding> stored, int[] counts) {
    if (byUser.containsKey(username)) {
      counts[2]++;
      return;
    }
    Instant now = clock.instant();
    Map<String, Binding> m = new ConcurrentHashMap<>(4);
    List<Binding> expired = new ArrayList<>(0);
    for (Binding b : stored) {
      if (b.expiredAt(now)) {
        expired.add(b);
      } else {
        m.put(b.key(), b);
      }
    }
    // Only when this read made the user known: else a removal could delete what a REGISTER just wrote.
    // Under the write order, so that a write decided after the user became known is queued after these.
    synchronized (writeOrder) {
      if (byUser.putIfAbsent(username, m) != null) {
        counts[2]++;
        return;
      }
      m.values().forEach(this::expiresAt);
      for (Binding b : expired) {
        store.remove(b.username(), b.key()).onFailure(e -> LOG.warn("cannot drop expired binding [user: {}, contact: {}]: {}",
            b.username(), b.contact(), e.getMessage()));
      }
    }
    counts[0] += m.size();
    counts[1] += expired.size();
  }

  /**
   * Completes once the user's bindings are in memory: at once when every stored binding is, or the
   * user is known; else after reading theirs from the store. Whoever reads or changes one user's
   * bindings right after start waits for this.
   */
  public Future<Void> loaded(String username) {
    if (complete || byUser.containsKey(username)) {
      return Future.succeededFuture();
    }
    return store.load(username).map(stored -> {
      adopt(username, stored, new int[3]);
      return null;
    });
  }

  /** Completes once every stored binding is in memory (the console's list of everybody, the devices gauge). */
  public Future<Void> allLoaded() {
    return allLoaded.future();
  }

  /** True once every stored binding is in memory. */
  public boolean isLoaded() {
    return complete;
  }

  /** Stops the sweep and the timer, and writes what refreshes are still unwritten. */
  public Future<Void> stop() {
    stopped = true;
    if (sweepTimer >= 0) {
      vertx.cancelTimer(sweepTimer);
    }
    if (flushTimer >= 0) {
      vertx.cancelTimer(flushTimer);
    }
    int waiting = unwritten.size();
    return flush().onSuccess(v -> {
      if (waiting > 0) {
        LOG.info("Refreshed bindings written at stop [bindings: {}]", waiting);
      }
    });
  }

  /**
   * Submits every unwritten refresh at once (the store's batcher makes one bulk and one commit of
   * them). A write that fails is kept for the next flush, unless the binding changed meanwhile.
   */
  Future<Void> flush() {
    if (unwritten.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Future<Void>> writes = new ArrayList<>();
    synchronized (writeOrder) {
      for (String id : List.copyOf(unwritten.keySet())) {
        Binding b = unwritten.remove(id);
        if (b != null) {
          writes.add(store.save(b).onFailure(e -> keepUnwritten(id, b)));
        }
      }
    }
    return Future.all(writes).mapEmpty();
  }

  private void keepUnwritten(String id, Binding b) {
    synchronized (writeOrder) {
      if (find(b.username(), b.key()) == b) {
        unwritten.putIfAbsent(id, b);
      }
    }
  }

  /** How many refreshes wait for their write (tests, the shutdown log). */
  int unwrittenCount() {
    return unwritten.size();
  }

  /** The user's live bindings, highest q first. */
  public List<Binding> bindings(String username) {
    Map<String, Binding> m = byUser.get(username);
    if (m == null || m.isEmpty()) {
      return List.of();
    }
    // Called for every REGISTER's 200 and every MESSAGE: a loop, and a sort only when there is a choice.
    Instant now = clock.instant();
    List<Binding> live = new ArrayList<>(m.size());
    for (Binding b : m.values()) {
      if (!b.expiredAt(now)) {
        live.add(b);
      }
    }
    if (live.size() > 1) {
      live.sort(BY_Q_DESCENDING);
    }
    return Collections.unmodifiableList(live);
  }

  private static final Comparator<Binding> BY_Q_DESCENDING = Comparator.comparing(Binding::q).reversed();

  /** How many live bindings the user has. */
  private int liveCount(String username) {
    Map<String, Binding> m = byUser.get(username);
    if (m == null) {
      return 0;
    }
    Instant now = clock.instant();
    int n = 0;
    for (Binding b : m.values()) {
      if (!b.expiredAt(now)) {
        n++;
      }
    }
    return n;
  }

  /** Every live binding, by username. */
  public List<Binding> all() {
    List<Binding> out = live();
    out.sort(Comparator.comparing(Binding::username));
    return out;
  }

  /** Every live binding, in no order (counting them all needs no sort of 200,000). */
  public List<Binding> live() {
    Instant now = clock.instant();
    List<Binding> out = new ArrayList<>();
    for (Map<String, Binding> m : byUser.values()) {
      for (Binding b : m.values()) {
        if (!b.expiredAt(now)) {
          out.add(b);
        }
      }
    }
    return out;
  }

  /** How many live bindings there are, from any thread (the registrations gauge). */
  public int count() {
    // Read every second by the status page's history: plain loops, not two streams per user (2.8 GB of
    // garbage in a 100,000-user start-up's profile).
    Instant now = clock.instant();
    int n = 0;
    for (Map<String, Binding> m : byUser.values()) {
      for (Binding b : m.values()) {
        if (!b.expiredAt(now)) {
          n++;
        }
      }
    }
    return n;
  }

  public Binding find(String username, String key) {
    Map<String, Binding> m = byUser.get(username);
    return m == null ? null : m.get(key);
  }

  /**
   * Where revocations stand now. A REGISTER takes a mark before it reads its user, and gives it to
   * {@link #put(Binding, long)}: a user disabled or deleted after that (while the REGISTER was in
   * flight) then gets no binding, even one whose write was already under way.
   */
  public long mark() {
    return revocations.get();
  }

  private boolean revokedSince(String username, long mark) {
    return revokedAt.getOrDefault(username, Long.MIN_VALUE) > mark;
  }

  /**
   * Adds or refreshes a binding, unless the user was revoked since {@code mark}; completes once it
   * is stored.
   *
   * @return false when the user was revoked since the mark: nothing is kept
   */
  public Future<Boolean> put(Binding made, long mark) {
    Binding binding = node == null || node.equals(made.node()) ? made : made.onNode(node);
    if (revokedSince(binding.username(), mark)) {
      return Future.succeededFuture(false);
    }
    Binding previous = find(binding.username(), binding.key());
    if (previous != null && !writeBehind.isZero() && !previous.expiredAt(clock.instant())
        && onlyRefreshes(previous, binding)) {
      return Future.succeededFuture(refreshInMemory(binding, mark));
    }
    return written(binding.username(), binding.key(), () -> store.save(binding)).compose(v -> {
      if (revokedSince(binding.username(), mark)) {
        // Revoked while this was being written: the write may have landed after the revocation's delete.
        LOG.info("Registration dropped, user revoked meanwhile [user: {}, contact: {}]", binding.username(),
            binding.contact());
        return written(binding.username(), binding.key(), () -> store.remove(binding.username(), binding.key()))
            .map(false);
      }
      byUser.computeIfAbsent(binding.username(), u -> new ConcurrentHashMap<>()).put(binding.key(), binding);
      expiresAt(binding);
      publish(binding, previous == null ? RegistrationEvent.Change.REGISTERED : RegistrationEvent.Change.REFRESHED);
      return Future.succeededFuture(true);
    });
  }

  /**
   * True when {@code next} changes nothing but the binding's lifetime and the REGISTER it came in
   * (Call-ID, CSeq): the same contact, reached the same way, with the same properties.
   */
  private static boolean onlyRefreshes(Binding previous, Binding next) {
    return previous.contact().equals(next.contact()) && Objects.equals(previous.transport(), next.transport())
        && Objects.equals(previous.source(), next.source()) && previous.q() == next.q()
        && Objects.equals(previous.userAgent(), next.userAgent()) && previous.accept().equals(next.accept())
        && Objects.equals(previous.device(), next.device())
        && Objects.equals(previous.node(), next.node()); // a phone that moved to another node: written through
  }

  /** A refresh: kept in memory now, its write left to the next flush. */
  private boolean refreshInMemory(Binding binding, long mark) {
    String id = id(binding.username(), binding.key());
    Map<String, Binding> m = byUser.computeIfAbsent(binding.username(), u -> new ConcurrentHashMap<>());
    synchronized (writeOrder) {
      m.put(binding.key(), binding);
      unwritten.put(id, binding);
      expiresAt(binding);
    }
    if (revokedSince(binding.username(), mark)) {
      // Revoked meanwhile: the revocation's removal may already have passed this binding by.
      synchronized (writeOrder) {
        m.remove(binding.key(), binding);
        unwritten.remove(id, binding);
      }
      return false;
    }
    publish(binding, RegistrationEvent.Change.REFRESHED);
    return true;
  }

  /** Submits a write-through of one binding: it replaces any unwritten refresh of it, in order. */
  private Future<Void> written(String username, String key, java.util.function.Supplier<Future<Void>> write) {
    synchronized (writeOrder) {
      unwritten.remove(id(username, key));
      return write.get();
    }
  }

  private static String id(String username, String key) {
    return username + "|" + key;
  }

  /** Removes one binding; completes once it is stored. */
  public Future<Void> remove(String username, String key, RegistrationEvent.Change why) {
    Binding existing = find(username, key);
    if (existing == null) {
      return Future.succeededFuture();
    }
    if (why == RegistrationEvent.Change.REVOKED && heldElsewhere(existing)) {
      forget(existing); // every node hears the revocation: the binding's own node stores and announces it
      return Future.succeededFuture();
    }
    return written(username, key, () -> store.remove(username, key)).onSuccess(v -> {
      Map<String, Binding> m = byUser.get(username);
      if (m != null && m.remove(key, existing)) {
        publish(existing, why);
      }
    });
  }

  /** Removes every binding of a user (Contact: *, or an account disabled or deleted). */
  public Future<Void> removeAll(String username, RegistrationEvent.Change why) {
    if (why == RegistrationEvent.Change.REVOKED) {
      revokedAt.put(username, revocations.incrementAndGet()); // before any write: see mark()
    }
    // Known from now on (empty if not read yet): a background read of what is being removed must not bring it back.
    Map<String, Binding> m = byUser.computeIfAbsent(username, u -> new ConcurrentHashMap<>(4));
    Future<Void> stored;
    synchronized (writeOrder) {
      unwritten.keySet().removeIf(id -> id.startsWith(username + "|"));
      stored = store.removeAll(username);
    }
    if (m == null || m.isEmpty()) {
      return stored;
    }
    return stored.onSuccess(v -> {
      for (Binding b : List.copyOf(m.values())) {
        if (m.remove(b.key()) != null && !(why == RegistrationEvent.Change.REVOKED && heldElsewhere(b))) {
          publish(b, why); // a revocation reaches every node: each announces its own bindings only
        }
      }
    });
  }

  /** Every second: plain loops, no stream per user (with 200,000 bindings the streams were a steady CPU cost). */
  private void sweep() {
    Instant now = clock.instant();
    if (now.toEpochMilli() < nextExpiry.get()) {
      return;
    }
    // Bindings kept from here on lower it again; those kept before are in the walk.
    nextExpiry.set(Long.MAX_VALUE);
    long earliest = Long.MAX_VALUE;
    List<Binding> expired = new ArrayList<>();
    for (Map<String, Binding> m : byUser.values()) {
      for (Binding b : m.values()) {
        if (b.expiredAt(now)) {
          expired.add(b);
        } else {
          earliest = Math.min(earliest, b.expiresAt().toEpochMilli());
        }
      }
    }
    // Expired ones are removed by writes that may fail: look again in a second, as before, until they are gone.
    long seen = expired.isEmpty() ? earliest : Math.min(earliest, now.toEpochMilli() + 1000);
    nextExpiry.accumulateAndGet(seen, Math::min);
    for (Binding b : expired) {
      if (onGoneNode(b)) {
        expireOrphan(b);
        continue;
      }
      if (heldElsewhere(b)) {
        forget(b); // its node expires it in the store and tells everyone
        continue;
      }
      remove(b.username(), b.key(), RegistrationEvent.Change.EXPIRED)
          .onFailure(e -> LOG.warn("cannot expire binding [user: {}, contact: {}]: {}", b.username(), b.contact(),
              e.getMessage()));
    }
  }

  /** A binding was kept: the sweep looks again once it may have expired. */
  private void expiresAt(Binding b) {
    long at = b.expiresAt().toEpochMilli();
    if (at < nextExpiry.get()) {
      nextExpiry.accumulateAndGet(at, Math::min);
    }
  }

  private void publish(Binding b, RegistrationEvent.Change change) {
    int active = liveCount(b.username());
    if (change != RegistrationEvent.Change.REFRESHED || LOG.isDebugEnabled()) {
      // Refreshes only at debug: every phone sends one a minute or so, and nothing changes.
      String line = "Registration {} [user: {}, contact: {}, ua: {}, bindings: {}]";
      Object[] args = {change.name().toLowerCase(), b.username(), b.contact(), b.userAgent(), active};
      if (change == RegistrationEvent.Change.REFRESHED) {
        LOG.debug(line, args);
      } else {
        LOG.info(line, args);
      }
    }
    vertx.eventBus().publish(EventAddresses.REGISTRATION,
        new RegistrationEvent(b.username(), change, b.contact(), b.userAgent(), b.accept(), active).toJson());
    if (node != null) {
      vertx.eventBus().publish(EventAddresses.BINDING_CHANGED, ClusterBindings.changed(b, change, node).toJson());
    }
  }

  // ---- cluster: every node's view of every binding ------------------------------------------------

  /**
   * Runs as node {@code nodeId} of a cluster: bindings made here carry it, and every node's changes
   * reach the others' memory through {@link EventAddresses#BINDING_CHANGED} (the store already has
   * them: a REGISTER is stored before it is published). Before {@link #start()}.
   */
  public void inCluster(String nodeId) {
    node = nodeId;
    vertx.eventBus().<io.vertx.core.json.JsonObject>consumer(EventAddresses.BINDING_CHANGED,
        m -> {
          BindingChanged changed = BindingChanged.fromJson(m.body());
          if (!nodeId.equals(changed.from())) {
            applyRemote(ClusterBindings.binding(changed.binding()), changed.change());
          }
        });
  }

  /** This node's id in the cluster; null on a single node. */
  public String node() {
    return node;
  }

  /** True when the binding's flow is on another node of the cluster. */
  public boolean heldElsewhere(Binding b) {
    return node != null && b.node() != null && !node.equals(b.node());
  }

  /** Another node's change, in memory only: its node wrote the store and published the registration event. */
  void applyRemote(Binding b, RegistrationEvent.Change change) {
    boolean gone = change != RegistrationEvent.Change.REGISTERED && change != RegistrationEvent.Change.REFRESHED;
    if (gone) {
      forget(b);
    } else if (b.node() != null && (complete || byUser.containsKey(b.username()))) {
      // Users not known yet are read from the store on first need, which has this binding already.
      byUser.computeIfAbsent(b.username(), u -> new ConcurrentHashMap<>(4)).put(b.key(), b);
      expiresAt(b); // the sweep forgets it then, or expires it if its node has left meanwhile
    }
  }

  /**
   * Cluster node {@code left} is gone (killed, or cut off). Its bindings stay, in memory and in the store,
   * until their own expiry, as the phone registered them: it re-registers with another node within that
   * time (replacing the binding, or adding its own), or it is gone, and then the normal expiry path
   * publishes it, so its watchers see "offline" at the expiry, not at the kill. Meanwhile a request to
   * such a binding fails at once ({@link #onGoneNode}): a MESSAGE is stored (202). No registration event
   * now: announcing the phones offline would be false.
   *
   * @return how many of its bindings this node knows
   */
  public Future<Integer> nodeLeft(String left) {
    if (left.equals(node)) {
      return Future.succeededFuture(0);
    }
    goneNodes.add(left);
    int kept = 0;
    for (Map<String, Binding> m : byUser.values()) {
      for (Binding b : m.values()) {
        if (left.equals(b.node())) {
          kept++;
        }
      }
    }
    LOG.warn("Bindings of a node that left kept until their expiry [node: {}, bindings: {}]", left, kept);
    return Future.succeededFuture(kept);
  }

  /** Cluster node {@code joined} is a member (again, after a partition healed): its bindings are its own again. */
  public void nodeJoined(String joined) {
    if (goneNodes.remove(joined)) {
      LOG.info("A node that had left is back [node: {}]", joined);
    }
  }

  /**
   * After a partition healed with this node on the smaller side: the other nodes' binding changes made
   * meanwhile never reached it, so their bindings are read from the store again (the store has every
   * change). A binding of this node's that the store has as another node's moved there (the phone
   * registered again elsewhere): the store's wins, else this node would expire, and delete, the other
   * node's binding. This node's others stay as in memory (refreshes may not be written yet). Nothing is
   * announced (each change was announced by its node when it was made).
   *
   * @return how many bindings of other nodes this node now knows
   */
  public Future<Integer> resync() {
    goneNodes.clear(); // the members' joins say who is back; what left for good comes back as left
    return store.loadAll().map(all -> {
      Instant now = clock.instant();
      Map<String, Map<String, Binding>> stored = new HashMap<>();
      for (Binding b : all) {
        if (heldElsewhere(b) && !b.expiredAt(now)) {
          stored.computeIfAbsent(b.username(), u -> new ConcurrentHashMap<>(4)).put(b.key(), b);
        }
      }
      int others = 0;
      for (Map.Entry<String, Map<String, Binding>> user : byUser.entrySet()) {
        Map<String, Binding> theirs = stored.remove(user.getKey());
        Map<String, Binding> m = user.getValue();
        m.values().removeIf(b -> heldElsewhere(b) && (theirs == null || !theirs.containsKey(b.key())));
        if (theirs != null) {
          theirs.forEach((key, b) -> {
            m.put(key, b);
            expiresAt(b);
          });
          others += theirs.size();
        }
      }
      if (complete) {
        for (Map.Entry<String, Map<String, Binding>> user : stored.entrySet()) {
          byUser.putIfAbsent(user.getKey(), user.getValue());
          user.getValue().values().forEach(this::expiresAt);
          others += user.getValue().size();
        }
      }
      LOG.info("Bindings of the other nodes read again after a partition [bindings: {}]", others);
      return others;
    });
  }

  /** True when the binding's node has left the cluster: nothing can reach the device through it. */
  public boolean onGoneNode(Binding b) {
    return b.node() != null && goneNodes.contains(b.node());
  }

  /**
   * A binding of a node that left has expired: every survivor sees it, and the one whose conditional
   * delete removes it from the store (still that node's: not re-registered meanwhile) announces it.
   */
  private void expireOrphan(Binding b) {
    written(b.username(), b.key(), () -> store.removeHeldBy(b.username(), b.key(), b.node()).map(removed -> {
      if (removed) {
        Map<String, Binding> m = byUser.get(b.username());
        if (m != null) {
          m.remove(b.key(), b);
        }
        publish(b, RegistrationEvent.Change.EXPIRED); // once: only one conditional delete removes it
      } else {
        forget(b); // another survivor announces it, or the phone registered again
      }
      return null;
    })).onFailure(e -> LOG.warn("cannot expire binding of a node that left [user: {}, contact: {}, node: {}]: {}",
        b.username(), b.contact(), b.node(), e.getMessage()));
  }

  private void forget(Binding b) {
    Map<String, Binding> m = byUser.get(b.username());
    if (m != null) {
      Binding mine = m.get(b.key());
      if (mine != null && Objects.equals(mine.node(), b.node())) {
        m.remove(b.key(), mine);
      }
    }
  }
}
