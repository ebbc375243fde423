package io.switchboard.im;

import io.switchboard.api.BusConsumers;
import io.switchboard.api.BusFailure;
import io.switchboard.api.Caller;
import io.switchboard.api.EventAddresses;
import io.switchboard.api.NoContent;
import io.switchboard.api.im.BroadcastAudience;
import io.switchboard.api.im.BroadcastEvent;
import io.switchboard.api.im.BroadcastInfo;
import io.switchboard.api.im.BroadcastQuery;
import io.switchboard.api.im.BroadcastRef;
import io.switchboard.api.im.BroadcastSend;
import io.switchboard.api.im.Broadcasts;
import io.switchboard.core.model.User;
import io.switchboard.core.store.UserStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Broadcasts on the event bus, for the console: send (administrators and broadcasters), list the current
 * ones, withdraw (an administrator any, a broadcaster their own), dismiss from one's ticker. Who is in the
 * audience is decided here: everyone (enabled users), a group (the members of the chat room of that name),
 * or named users (by username or extension).
 */
final class BroadcastBusApi {

  private final Vertx vertx;
  private final UserStore users;
  private final RoomStore rooms;
  private final MongoBroadcastStore broadcasts;
  private final BroadcastSender sender;
  private final Clock clock;
  private final int maxTextBytes;
  private final MessageIds ids;
  private final BusConsumers consumers;

  BroadcastBusApi(Vertx vertx, UserStore users, RoomStore rooms, MongoBroadcastStore broadcasts, BroadcastSender sender,
      Clock clock, int maxTextBytes) {
    this.vertx = vertx;
    this.users = users;
    this.rooms = rooms;
    this.broadcasts = broadcasts;
    this.sender = sender;
    this.clock = clock;
    this.maxTextBytes = maxTextBytes;
    this.ids = new MessageIds(clock);
    this.consumers = new BusConsumers(vertx);
  }

  Future<Void> start() {
    return Future.all(
        consumers.answer(EventAddresses.IM_BROADCAST_SEND, BroadcastSend::fromJson, this::send, ImBusApi::translate),
        consumers.answer(EventAddresses.IM_BROADCAST_LIST, BroadcastQuery::fromJson, this::list, ImBusApi::translate),
        consumers.answer(EventAddresses.IM_BROADCAST_WITHDRAW, BroadcastRef::fromJson, this::withdraw,
            ImBusApi::translate),
        consumers.answer(EventAddresses.IM_BROADCAST_DISMISS, BroadcastRef::fromJson, this::dismiss,
            ImBusApi::translate)).mapEmpty();
  }

  Future<Void> stop() {
    return consumers.unregisterAll();
  }

  private Future<BroadcastInfo> send(BroadcastSend q) {
    Caller caller = q.caller();
    if (!caller.mayBroadcast()) {
      return Future.failedFuture(BusFailure.forbidden(null, "administrators and broadcasters only"));
    }
    String text = q.text() == null ? "" : q.text().strip();
    if (text.isEmpty()) {
      return Future.failedFuture(BusFailure.invalid("text", "required"));
    }
    if (text.getBytes(StandardCharsets.UTF_8).length > maxTextBytes) {
      return Future.failedFuture(BusFailure.invalid("text", "at most " + maxTextBytes + " bytes (im.max-message-size)"));
    }
    Instant now = clock.instant();
    Instant expiresAt;
    try {
      expiresAt = q.expiresAt() == null ? null : Instant.parse(q.expiresAt());
    } catch (DateTimeParseException e) {
      return Future.failedFuture(BusFailure.invalid("expiresAt", "an ISO-8601 instant such as 2026-12-01T17:00:00Z"));
    }
    if (expiresAt != null && !expiresAt.isAfter(now)) {
      return Future.failedFuture(BusFailure.invalid("expiresAt", "must be in the future"));
    }
    Future<Optional<Broadcast>> replaced = q.replaces() == null ? Future.succeededFuture(Optional.empty())
        : broadcasts.find(q.replaces()).compose(old -> {
          if (old.isEmpty() || !old.get().currentAt(now)) {
            return Future.failedFuture(BusFailure.notFound("replaces", "no current broadcast " + q.replaces()));
          }
          if (!mayEnd(caller, old.get())) {
            return Future.failedFuture(BusFailure.forbidden("replaces", "a broadcaster replaces only their own broadcasts"));
          }
          return Future.succeededFuture(old);
        });
    return replaced.compose(old -> recipients(q.to()).compose(recipients -> {
      Broadcast b = new Broadcast(ids.next(), text, caller.username(), q.to(),
          q.to().kind() == BroadcastAudience.Kind.ALL ? null : recipients, now, expiresAt, q.replaces(),
          Broadcast.State.CURRENT, Set.of());
      // The old one's copies expire before the new one's are sent: no phone gets both.
      Future<Boolean> ended = old.isEmpty() ? Future.succeededFuture(true) : sender.end(old.get().id(), Broadcast.State.REPLACED);
      return ended.compose(x -> sender.send(b, recipients));
    })).map(b -> b.toBus(caller.username()));
  }

  /** The usernames of the audience's enabled users; a 400 naming {@code to} for a group or user that does not exist. */
  private Future<List<String>> recipients(BroadcastAudience to) {
    return switch (to.kind()) {
      case ALL -> users.list().map(all -> all.stream().filter(User::enabled).map(User::username).toList());
      case GROUP -> rooms.find(to.group() == null ? "" : to.group()).compose(room -> room.isEmpty()
          ? Future.failedFuture(BusFailure.invalid("to", "no group " + to.group() + " (a group is a chat room's members)"))
          : enabled(room.get().members(), false));
      case USERS -> to.users().isEmpty() ? Future.failedFuture(BusFailure.invalid("to", "a list of at least one username"))
          : enabled(to.users(), true);
    };
  }

  /** @param strict every name must be a user (else 400 naming {@code to}); otherwise ones gone meanwhile are left out */
  private Future<List<String>> enabled(List<String> names, boolean strict) {
    List<Future<Optional<User>>> found = names.stream().map(users::findByUsernameOrExtension).toList();
    return Future.all(found).compose(all -> {
      Set<String> out = new LinkedHashSet<>();
      for (int i = 0; i < names.size(); i++) {
        Optional<User> u = found.get(i).result();
        if (u.isEmpty() && strict) {
          return Future.failedFuture(BusFailure.invalid("to", "no user " + names.get(i)));
        }
        u.filter(User::enabled).ifPresent(user -> out.add(user.username()));
      }
      return Future.succeededFuture(List.copyOf(out));
    });
  }

  private Future<Broadcasts> list(BroadcastQuery q) {
    Caller caller = q.caller();
    Instant now = clock.instant();
    return broadcasts.current().map(all -> new Broadcasts(all.stream().filter(b -> b.currentAt(now))
        .filter(b -> caller.isAdmin() || b.isFor(caller.username()) || b.from().equals(caller.username()))
        .map(b -> b.toBus(caller.username())).toList()));
  }

  private Future<NoContent> withdraw(BroadcastRef q) {
    Caller caller = q.caller();
    if (!caller.mayBroadcast()) {
      return Future.failedFuture(BusFailure.forbidden(null, "administrators and broadcasters only"));
    }
    return broadcasts.find(q.id()).compose(b -> {
      if (b.isEmpty() || b.get().state() != Broadcast.State.CURRENT) {
        return Future.failedFuture(BusFailure.notFound(null, "no current broadcast " + q.id()));
      }
      if (!mayEnd(caller, b.get())) {
        return Future.failedFuture(BusFailure.forbidden(null, "a broadcaster withdraws only their own broadcasts"));
      }
      return sender.end(q.id(), Broadcast.State.WITHDRAWN).compose(ended -> ended ? Future.succeededFuture(NoContent.INSTANCE)
          : Future.failedFuture(BusFailure.notFound(null, "no current broadcast " + q.id())));
    });
  }

  private Future<NoContent> dismiss(BroadcastRef q) {
    String user = q.caller().username();
    return broadcasts.find(q.id()).compose(b -> {
      if (b.isEmpty() || !b.get().isFor(user)) {
        return Future.failedFuture(BusFailure.notFound(null, "no broadcast " + q.id() + " for you"));
      }
      return broadcasts.dismiss(q.id(), user).map(v -> {
        // The user's other consoles hide it too.
        vertx.eventBus().publish(EventAddresses.BROADCAST_CHANGED, BroadcastEvent.gone(q.id(), List.of(user)).toJson());
        return NoContent.INSTANCE;
      });
    });
  }

  private static boolean mayEnd(Caller caller, Broadcast b) {
    return caller.isAdmin() || caller.mayBroadcast() && b.from().equals(caller.username());
  }
}
