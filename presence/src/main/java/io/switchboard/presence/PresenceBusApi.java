package io.switchboard.presence;

import io.switchboard.api.BusConsumers;
import io.switchboard.api.BusFailure;
import io.switchboard.api.BusPayload;
import io.switchboard.api.EventAddresses;
import io.switchboard.api.presence.BuddiesRequest;
import io.switchboard.api.presence.BuddyList;
import io.switchboard.api.presence.PendingQuery;
import io.switchboard.api.presence.PendingWatchers;
import io.switchboard.api.presence.PresenceOf;
import io.switchboard.api.presence.PresenceQuery;
import io.switchboard.api.presence.PresenceSet;
import io.switchboard.api.presence.PresenceStatus;
import io.switchboard.api.presence.Rules;
import io.switchboard.api.presence.RulesRequest;
import io.switchboard.api.presence.WatcherRule;
import io.switchboard.core.store.UserStore;
import io.vertx.core.Future;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/** Presence's requests on the event bus, for the web console; runs on the SIP context with the rest. */
final class PresenceBusApi {

  static final int MAX_NOTE = 200;

  private final PresenceService presence;
  private final UserStore users;
  private final BusConsumers consumers;

  PresenceBusApi(PresenceService presence, UserStore users) {
    this.presence = presence;
    this.users = users;
    this.consumers = new BusConsumers(presence.vertx());
  }

  Future<Void> start() {
    return Future.all(
        consumers.answer(EventAddresses.PRESENCE_GET, PresenceQuery::fromJson, loaded(this::get), PresenceBusApi::translate),
        consumers.answer(EventAddresses.PRESENCE_SET, PresenceSet::fromJson, loaded(this::set), PresenceBusApi::translate),
        consumers.answer(EventAddresses.PRESENCE_BUDDIES, BuddiesRequest::fromJson, loaded(this::buddies),
            PresenceBusApi::translate),
        consumers.answer(EventAddresses.PRESENCE_RULES, RulesRequest::fromJson, loaded(this::rules),
            PresenceBusApi::translate),
        consumers.answer(EventAddresses.PRESENCE_PENDING, PendingQuery::fromJson, loaded(this::pending),
            PresenceBusApi::translate)).mapEmpty();
  }

  /**
   * A console's request right after start waits until every profile and binding is in: a buddy
   * list shows what each buddy's rules and devices say, and a change fans out to every buddy list.
   */
  private <Q> Function<Q, Future<? extends BusPayload>> loaded(Function<Q, Future<? extends BusPayload>> handler) {
    return request -> presence.allLoaded()
        .recover(e -> Future.failedFuture(BusFailure.unavailable("presence is not loaded yet")))
        .compose(v -> handler.apply(request));
  }

  Future<Void> stop() {
    return consumers.unregisterAll();
  }

  private Future<PresenceOf> get(PresenceQuery q) {
    String user = q.caller().username();
    String of = q.of();
    return users.findByUsernameOrExtension(of).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(BusFailure.notFound("user", "no user " + of));
      }
      String presentity = found.get().username();
      PresenceView view = presence.viewFor(presentity, user);
      if (view == null) {
        return Future.failedFuture(
            BusFailure.forbidden("user", presentity + " has not allowed you to see their presence"));
      }
      return Future.succeededFuture(new PresenceOf(presentity, view.toStatus()));
    });
  }

  private Future<PresenceStatus> set(PresenceSet q) {
    PresenceState state = PresenceState.manual(q.state());
    if (state == null) {
      return Future.failedFuture(BusFailure.invalid("state", "one of available, away, busy, dnd"));
    }
    String note = q.note();
    if (note != null && (note.length() > MAX_NOTE || note.chars().anyMatch(c -> c < 0x20))) {
      return Future.failedFuture(BusFailure.invalid("note", "at most " + MAX_NOTE + " characters, no control characters"));
    }
    Instant until = null;
    if (q.until() != null) {
      try {
        until = Instant.parse(q.until());
      } catch (DateTimeParseException e) {
        return Future.failedFuture(BusFailure.invalid("until", "an ISO-8601 instant such as 2026-01-31T12:00:00Z"));
      }
      if (!until.isAfter(presence.now())) {
        return Future.failedFuture(BusFailure.invalid("until", "must be in the future"));
      }
    }
    // "available" with no note and no end is no manual state at all: back to automatic.
    ManualState manual = state == PresenceState.AVAILABLE && note == null && until == null ? null
        : new ManualState(state, note == null || note.isBlank() ? null : note, until);
    return presence.setManual(q.caller().username(), manual).map(PresenceView::toStatus);
  }

  private Future<BuddyList> buddies(BuddiesRequest q) {
    String user = q.caller().username();
    String name = q.username();
    return switch (q.op()) {
      case LIST -> Future.succeededFuture(buddyList(user));
      case ADD -> {
        if (name == null || name.isBlank()) {
          yield Future.failedFuture(BusFailure.invalid("username", "required"));
        }
        yield users.findByUsernameOrExtension(name).compose(r -> {
          if (r.isEmpty()) {
            return Future.failedFuture(BusFailure.notFound("username", "no user " + name));
          } else if (r.get().username().equals(user)) {
            return Future.failedFuture(BusFailure.invalid("username", "you cannot be your own buddy"));
          }
          var found = r.get();
          String group = q.group();
          String display = q.displayName() != null ? q.displayName() : found.displayName();
          if ((group != null && group.length() > 64) || (display != null && display.length() > 64)) {
            return Future.failedFuture(BusFailure.invalid("group", "at most 64 characters"));
          }
          return presence.buddies(user, p -> p.withBuddy(new PresenceProfile.Buddy(found.username(), group, display)))
              .map(p -> buddyList(user));
        });
      }
      case REMOVE -> {
        if (!presence.profile(user).hasBuddy(name)) {
          yield Future.failedFuture(BusFailure.notFound("username", name + " is not on your buddy list"));
        }
        yield presence.buddies(user, p -> p.withoutBuddy(name)).map(p -> buddyList(user));
      }
    };
  }

  private BuddyList buddyList(String user) {
    List<BuddyList.Buddy> out = new ArrayList<>();
    for (PresenceProfile.Buddy b : presence.profile(user).buddies()) {
      PresenceView view = presence.viewFor(b.username(), user);
      out.add(new BuddyList.Buddy(b.username(), b.group(), b.displayName(),
          (view == null ? PresenceView.OFFLINE : view).toStatus(), view != null));
    }
    return new BuddyList(out);
  }

  private Future<Rules> rules(RulesRequest q) {
    String user = q.caller().username();
    if (q.op() == RulesRequest.Op.GET) {
      return Future.succeededFuture(rulesOf(presence.profile(user)));
    }
    List<Rule> rules = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (WatcherRule r : q.rules()) {
      String w = r.watcher();
      if (w == null || w.isBlank()) {
        return Future.failedFuture(BusFailure.invalid("rules", "each rule needs a watcher (a username or *)"));
      }
      Rule.Action action = Rule.Action.fromWire(r.action());
      if (action == null) {
        return Future.failedFuture(
            BusFailure.invalid("rules", "action of " + w + " must be allow, block, polite-block or confirm"));
      }
      if (!seen.add(w)) {
        return Future.failedFuture(BusFailure.invalid("rules", w + " appears twice"));
      }
      rules.add(new Rule(w, action));
    }
    return presence.setRules(user, rules).map(PresenceBusApi::rulesOf);
  }

  private static Rules rulesOf(PresenceProfile p) {
    return new Rules(p.rules().stream().map(r -> new WatcherRule(r.watcher(), r.action().wireName())).toList());
  }

  private Future<PendingWatchers> pending(PendingQuery q) {
    return Future.succeededFuture(new PendingWatchers(presence.profile(q.caller().username()).pending().stream()
        .map(p -> new PendingWatchers.Pending(p.watcher(), p.since())).toList()));
  }

  /** Anything but a checked request that fails here is the store's (as before: 503). */
  private static BusFailure translate(Throwable e) {
    return BusFailure.unavailable("the store is unavailable");
  }
}
