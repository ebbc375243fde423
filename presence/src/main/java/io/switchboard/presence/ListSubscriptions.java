package io.switchboard.presence;

import io.switchboard.api.EventAddresses;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.sip.SipTags;
import io.vertx.core.AsyncResult;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live buddy-list subscriptions (RFC 4662): one dialog per list whose NOTIFYs carry the RLMI
 * document and one part per buddy, full state first, then only the buddies whose view changed, at
 * most one NOTIFY per {@code presence.list-min-interval} (changes meanwhile go together into the
 * next, RFC 4662 §5). Each buddy is shown exactly as a single subscription of the owner would show
 * it ({@link Composition#viewFor}, {@link Composition#callFor}, the same rendered documents): a
 * block leaves the buddy out, a polite-block shows offline (idle), a confirm shows the instance
 * pending. SIP context only.
 */
final class ListSubscriptions {

  private static final Logger LOG = LoggerFactory.getLogger(ListSubscriptions.class);

  private final Vertx vertx;
  private final WatcherIndex index;
  private final Profiles profiles;
  private final Composition composition;
  private final Notifier notifier;
  private final Clock clock;
  private final int minIntervalMillis;
  private final String domain;
  /** Notes the owner as a pending watcher of a buddy (presentity, watcher), as a SUBSCRIBE to the buddy would. */
  private final BiConsumer<String, String> notePending;
  private final Map<String, ListSubscription> byKey = new HashMap<>();
  private final Map<String, Set<ListSubscription>> byOwner = new HashMap<>();

  ListSubscriptions(Vertx vertx, WatcherIndex index, Profiles profiles, Composition composition, Notifier notifier,
      Clock clock, int minIntervalMillis, String domain, BiConsumer<String, String> notePending) {
    this.vertx = vertx;
    this.index = index;
    this.profiles = profiles;
    this.composition = composition;
    this.notifier = notifier;
    this.clock = clock;
    this.minIntervalMillis = minIntervalMillis;
    this.domain = domain;
    this.notePending = notePending;
  }

  /** The buddies a list shows (the whole list, or one group), in list order. */
  List<PresenceProfile.Buddy> members(String owner, String group) {
    return profiles.of(owner).buddies().stream()
        .filter(b -> group == null || (b.group() != null && SwitchboardConfig.Presence.groupSlug(b.group()).equalsIgnoreCase(group)))
        .toList();
  }

  /** A new list subscription: kept, and its full state sent at once. */
  void add(ListSubscription l) {
    byKey.put(l.key(), l);
    byOwner.computeIfAbsent(l.owner, k -> new LinkedHashSet<>()).add(l);
    armExpiry(l);
    LOG.info("List subscription active [watcher: {}, list: {}, event: {}, expires: {}]", l.owner, l.dialog.presentityUri,
        l.pkg.eventName, l.dialog.expiresAt);
    flush(l);
  }

  ListSubscription find(String callId, String localTag) {
    return byKey.get(Subscription.key(callId, localTag));
  }

  /** A refresh: a new expiry, and full state again (RFC 4662 §5, as for the first NOTIFY). */
  void refresh(ListSubscription l, Instant expiresAt) {
    l.dialog.expiresAt = expiresAt;
    armExpiry(l);
    l.fullDue = true;
    if (l.throttleTimer >= 0) {
      vertx.cancelTimer(l.throttleTimer);
      l.throttleTimer = -1;
    }
    if (l.inFlight) {
      l.dirty = true;
    } else {
      flush(l);
    }
  }

  /** A fetch (Expires: 0 on a new subscription): one NOTIFY with the full state, terminated. */
  void fetch(ListSubscription l) {
    notifier.send(l.dialog, body(l, resources(l), true), "timeout", clock.instant())
        .onFailure(e -> LOG.debug("list fetch NOTIFY not answered: {}", e.getMessage()));
  }

  /**
   * A user's presence, call state, rules or buddy list may have changed: the lists that show them
   * (their buddies' lists, and their own, whose members may have changed) look again, throttled.
   */
  void changed(String user) {
    if (byOwner.isEmpty()) {
      return;
    }
    schedule(byOwner.get(user));
    for (String owner : index.buddyWatchersOf(user)) {
      schedule(byOwner.get(owner));
    }
  }

  /** A user was disabled or deleted: their own list subscriptions end. */
  void endAllOf(String username) {
    Set<ListSubscription> own = byOwner.get(username);
    if (own != null) {
      List.copyOf(own).forEach(l -> terminate(l, "deactivated"));
    }
  }

  private void schedule(Set<ListSubscription> lists) {
    if (lists != null) {
      List.copyOf(lists).forEach(this::schedule);
    }
  }

  /** At most one NOTIFY per interval and one in flight: a change meanwhile waits for the next. */
  private void schedule(ListSubscription l) {
    l.dirty = true;
    if (l.terminated || l.inFlight || l.throttleTimer >= 0) {
      return;
    }
    long wait = l.lastSentAt + minIntervalMillis - clock.millis();
    if (wait <= 0) {
      flush(l);
    } else {
      l.throttleTimer = vertx.setTimer(wait, id -> {
        l.throttleTimer = -1;
        flush(l);
      });
    }
  }

  /** Sends what changed since the last NOTIFY (everything when full state is due); nothing when nothing did. */
  private void flush(ListSubscription l) {
    if (l.terminated || l.inFlight) {
      return;
    }
    l.dirty = false;
    Map<String, ListSubscription.Shown> now = resources(l);
    boolean full = l.fullDue || !now.keySet().equals(l.lastSent.keySet());
    Map<String, ListSubscription.Shown> changed = new LinkedHashMap<>();
    now.forEach((buddy, shown) -> {
      if (full || !shown.equals(l.lastSent.get(buddy))) {
        changed.put(buddy, shown);
      }
    });
    if (!full && changed.isEmpty()) {
      return;
    }
    long version = l.version;
    byte[] body = body(l, changed, full);
    l.lastSent = now;
    l.fullDue = false;
    l.inFlight = true;
    l.lastSentAt = clock.millis();
    notifier.send(l.dialog, body, null, clock.instant()).onComplete(r -> {
      l.inFlight = false;
      if (!answered(l, r)) {
        return;
      }
      vertx.eventBus().publish(EventAddresses.PRESENCE_NOTIFIED, new JsonObject().put("presentity", l.dialog.presentity)
          .put("watcher", l.owner).put("package", l.pkg.eventName).put("state", "active").put("list", true)
          .put("version", version).put("fullState", full).put("resources", new ArrayList<>(changed.keySet())));
      if (l.dirty) {
        schedule(l);
      }
    });
  }

  /** What the owner may see of each member now, in list order; a blocked buddy is left out. */
  private Map<String, ListSubscription.Shown> resources(ListSubscription l) {
    Map<String, ListSubscription.Shown> out = new LinkedHashMap<>();
    for (PresenceProfile.Buddy b : members(l.owner, l.group)) {
      String buddy = b.username();
      switch (composition.decide(buddy, l.owner)) {
        case BLOCK -> { } // left out, as a single SUBSCRIBE gets 403
        case CONFIRM -> {
          out.put(buddy, new ListSubscription.Shown("pending", null));
          if (l.notedPending.add(buddy)) {
            notePending.accept(buddy, l.owner); // the buddy is asked, as for a single SUBSCRIBE
          }
        }
        case ALLOW, POLITE_BLOCK -> out.put(buddy, new ListSubscription.Shown("active",
            l.pkg == EventPackage.DIALOG ? composition.callFor(buddy, l.owner) : composition.viewFor(buddy, l.owner)));
      }
    }
    return out;
  }

  /** The multipart body of the next NOTIFY, with these resources; counts the version up. */
  private byte[] body(ListSubscription l, Map<String, ListSubscription.Shown> shown, boolean full) {
    Map<String, String> names = new HashMap<>();
    for (PresenceProfile.Buddy b : members(l.owner, l.group)) {
      names.put(b.username(), b.displayName());
    }
    List<Rlmi.Resource> resources = new ArrayList<>(shown.size());
    shown.forEach((buddy, s) -> {
      String instance = l.instanceIds.computeIfAbsent(buddy, b -> SipTags.newTag());
      resources.add(new Rlmi.Resource(composition.uriOf(buddy), names.get(buddy), instance, s.state(), part(l, buddy, s)));
    });
    byte[] rlmi = Rlmi.document(l.dialog.presentityUri, l.version++, full, null, resources);
    return Rlmi.multipart(l.dialog.listBoundary, contentId(), rlmi, resources);
  }

  /** A resource's document: the same rendered bytes a single subscription with that view gets. */
  private Rlmi.Part part(ListSubscription l, String buddy, ListSubscription.Shown s) {
    if (s.view() == null) {
      return null; // pending: no state yet
    }
    if (s.view() instanceof PresenceView view) {
      return new Rlmi.Part(contentId(), l.format.type + "/" + l.format.subType,
          composition.presence(buddy, view, l.format).withVersion(0));
    }
    long version = l.dialogVersions.merge(buddy, 1L, Long::sum) - 1;
    return new Rlmi.Part(contentId(), EventPackage.DIALOG.type + "/" + EventPackage.DIALOG.subType,
        composition.dialog(buddy, (io.switchboard.api.CallStateEvent.State) s.view()).withVersion(version));
  }

  private String contentId() {
    return SipTags.newTag() + "@" + domain;
  }

  private void armExpiry(ListSubscription l) {
    if (l.expiryTimer >= 0) {
      vertx.cancelTimer(l.expiryTimer);
    }
    long delay = Math.max(1, l.dialog.expiresAt.toEpochMilli() - clock.millis());
    l.expiryTimer = vertx.setTimer(delay, id -> terminate(l, "timeout"));
  }

  /** A watcher that answers a NOTIFY with an error or not at all is dropped (RFC 6665 §4.2.2). */
  private boolean answered(ListSubscription l, AsyncResult<Integer> r) {
    if (r.succeeded() && r.result() >= 200 && r.result() < 300) {
      return true;
    }
    LOG.info("List watcher dropped [watcher: {}, list: {}]: NOTIFY got {}", l.owner, l.dialog.presentityUri,
        r.succeeded() ? r.result() : r.cause().getMessage());
    remove(l);
    return false;
  }

  /** Ends a list subscription with a final NOTIFY (no body): timeout, deactivated. */
  void terminate(ListSubscription l, String reason) {
    if (l.terminated) {
      return;
    }
    remove(l);
    notifier.send(l.dialog, null, reason, clock.instant())
        .onFailure(e -> LOG.debug("final list NOTIFY not answered: {}", e.getMessage()));
  }

  private void remove(ListSubscription l) {
    l.terminated = true;
    vertx.cancelTimer(l.expiryTimer);
    vertx.cancelTimer(l.throttleTimer);
    byKey.remove(l.key());
    Set<ListSubscription> own = byOwner.get(l.owner);
    if (own != null && own.remove(l) && own.isEmpty()) {
      byOwner.remove(l.owner);
    }
  }
}
