package io.switchboard.core.sip;

import io.switchboard.core.bus.EventAddresses;
import io.switchboard.core.bus.RegistrationEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where each user can be reached right now: their bindings, kept in memory for lookups, written
 * through to a {@link BindingStore}, expired by a periodic sweep. Every change is published as a
 * {@link RegistrationEvent}. A user's REGISTERs change their bindings on that user's SIP context,
 * revocations and the sweep on the home context: the maps are concurrent, and reads are safe from
 * any thread.
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
  private long sweepTimer = -1;

  public LocationService(Vertx vertx, BindingStore store, Clock clock) {
    this.vertx = vertx;
    this.store = store;
    this.clock = clock;
  }

  /** Loads persisted bindings, drops those that expired while we were down, starts the sweep. */
  public Future<Void> start() {
    return store.loadAll().compose(all -> {
      Instant now = clock.instant();
      List<Future<Void>> removals = new ArrayList<>();
      for (Binding b : all) {
        if (b.expiredAt(now)) {
          removals.add(store.remove(b.username(), b.key()));
        } else {
          byUser.computeIfAbsent(b.username(), u -> new ConcurrentHashMap<>()).put(b.key(), b);
        }
      }
      LOG.info("Location service [bindings restored: {}, expired while down: {}]", all.size() - removals.size(),
          removals.size());
      sweepTimer = vertx.setPeriodic(1000, id -> sweep());
      return Future.all(removals).mapEmpty();
    });
  }

  public void stop() {
    if (sweepTimer >= 0) {
      vertx.cancelTimer(sweepTimer);
    }
  }

  /** The user's live bindings, highest q first. */
  public List<Binding> bindings(String username) {
    Map<String, Binding> m = byUser.get(username);
    if (m == null) {
      return List.of();
    }
    Instant now = clock.instant();
    return m.values().stream().filter(b -> !b.expiredAt(now))
        .sorted(Comparator.comparing(Binding::q).reversed()).toList();
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
    Instant now = clock.instant();
    return byUser.values().stream().mapToInt(m -> (int) m.values().stream().filter(b -> !b.expiredAt(now)).count()).sum();
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
  public Future<Boolean> put(Binding binding, long mark) {
    if (revokedSince(binding.username(), mark)) {
      return Future.succeededFuture(false);
    }
    Binding previous = find(binding.username(), binding.key());
    return store.save(binding).compose(v -> {
      if (revokedSince(binding.username(), mark)) {
        // Revoked while this was being written: the write may have landed after the revocation's delete.
        LOG.info("Registration dropped, user revoked meanwhile [user: {}, contact: {}]", binding.username(),
            binding.contact());
        return store.remove(binding.username(), binding.key()).map(false);
      }
      byUser.computeIfAbsent(binding.username(), u -> new ConcurrentHashMap<>()).put(binding.key(), binding);
      publish(binding, previous == null ? RegistrationEvent.Change.REGISTERED : RegistrationEvent.Change.REFRESHED);
      return Future.succeededFuture(true);
    });
  }

  /** Removes one binding; completes once it is stored. */
  public Future<Void> remove(String username, String key, RegistrationEvent.Change why) {
    Binding existing = find(username, key);
    if (existing == null) {
      return Future.succeededFuture();
    }
    return store.remove(username, key).onSuccess(v -> {
      Map<String, Binding> m = byUser.get(username);
      if (m != null && m.remove(key) != null) {
        publish(existing, why);
      }
    });
  }

  /** Removes every binding of a user (Contact: *, or an account disabled or deleted). */
  public Future<Void> removeAll(String username, RegistrationEvent.Change why) {
    if (why == RegistrationEvent.Change.REVOKED) {
      revokedAt.put(username, revocations.incrementAndGet()); // before any write: see mark()
    }
    Map<String, Binding> m = byUser.get(username);
    if (m == null || m.isEmpty()) {
      return store.removeAll(username);
    }
    return store.removeAll(username).onSuccess(v -> {
      for (Binding b : List.copyOf(m.values())) {
        if (m.remove(b.key()) != null) {
          publish(b, why);
        }
      }
    });
  }

  /** Every second: plain loops, no stream per user (with 200,000 bindings the streams were a steady CPU cost). */
  private void sweep() {
    Instant now = clock.instant();
    List<Binding> expired = new ArrayList<>();
    for (Map<String, Binding> m : byUser.values()) {
      for (Binding b : m.values()) {
        if (b.expiredAt(now)) {
          expired.add(b);
        }
      }
    }
    for (Binding b : expired) {
      remove(b.username(), b.key(), RegistrationEvent.Change.EXPIRED)
          .onFailure(e -> LOG.warn("cannot expire binding [user: {}, contact: {}]: {}", b.username(), b.contact(),
              e.getMessage()));
    }
  }

  private void publish(Binding b, RegistrationEvent.Change change) {
    int active = bindings(b.username()).size();
    LOG.info("Registration {} [user: {}, contact: {}, ua: {}, bindings: {}]", change.name().toLowerCase(),
        b.username(), b.contact(), b.userAgent(), active);
    vertx.eventBus().publish(EventAddresses.REGISTRATION,
        new RegistrationEvent(b.username(), change, b.contact(), b.userAgent(), b.accept(), active).toJson());
  }
}
