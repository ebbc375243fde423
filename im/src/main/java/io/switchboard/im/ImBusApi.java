package io.switchboard.im;

import io.switchboard.api.BusConsumers;
import io.switchboard.api.BusFailure;
import io.switchboard.api.Caller;
import io.switchboard.api.EventAddresses;
import io.switchboard.api.ImMessage;
import io.switchboard.api.ImSend;
import io.switchboard.api.NoContent;
import io.switchboard.api.im.ImConversations;
import io.switchboard.api.im.ImConversationsQuery;
import io.switchboard.api.im.ImHistoryQuery;
import io.switchboard.api.im.ImMessages;
import io.switchboard.api.im.ImSearchQuery;
import io.switchboard.api.im.RoomCreate;
import io.switchboard.api.im.RoomDelete;
import io.switchboard.api.im.RoomInfo;
import io.switchboard.api.im.RoomListQuery;
import io.switchboard.api.im.Rooms;
import io.switchboard.core.store.StoreException;
import io.switchboard.core.store.UserStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * IM's requests on the event bus, for the web console: send as a user, read a conversation's
 * history, list conversations, rooms. Each request a record of uc-api; each failure a {@link BusFailure}.
 */
final class ImBusApi {

  static final int MAX_PAGE = 200;

  private final Vertx vertx;
  private final UserStore users;
  private final MessageRouter router;
  private final MessageStore store;
  private final RoomStore rooms;
  private final int maxMessageSize;
  private final BusConsumers consumers;
  private final Receipts receipts;

  ImBusApi(Vertx vertx, UserStore users, RoomStore rooms, MessageRouter router, MessageStore store,
      int maxMessageSize, Receipts receipts) {
    this.receipts = receipts;
    this.vertx = vertx;
    this.users = users;
    this.rooms = rooms;
    this.router = router;
    this.store = store;
    this.maxMessageSize = maxMessageSize;
    this.consumers = new BusConsumers(vertx);
  }

  Future<Void> start() {
    return Future.all(java.util.List.of(
        consumers.answer(EventAddresses.IM_SEND, ImSend::fromJson, this::send, ImBusApi::translate),
        consumers.answer(EventAddresses.IM_HISTORY, ImHistoryQuery::fromJson, this::history, ImBusApi::translate),
        consumers.answer(EventAddresses.IM_SEARCH, ImSearchQuery::fromJson, this::search, ImBusApi::translate),
        consumers.answer(EventAddresses.IM_CONVERSATIONS, ImConversationsQuery::fromJson, this::conversations,
            ImBusApi::translate),
        consumers.answer(EventAddresses.IM_ROOM_CREATE, RoomCreate::fromJson, this::createRoom, ImBusApi::translate),
        consumers.answer(EventAddresses.IM_ROOM_LIST, RoomListQuery::fromJson, this::listRooms, ImBusApi::translate),
        consumers.answer(EventAddresses.IM_ROOM_DELETE, RoomDelete::fromJson, this::deleteRoom, ImBusApi::translate),
        consumers.answer(EventAddresses.IM_SEEN, io.switchboard.api.im.ImSeen::fromJson,
            q -> receipts.seen(q.caller().username(), q.id()).map(StoredMessage::toBus), ImBusApi::translate)))
        .mapEmpty();
  }

  Future<Void> stop() {
    return consumers.unregisterAll();
  }

  private Future<ImMessage> send(ImSend request) {
    if (request.body() == null || request.body().isBlank()) {
      return Future.failedFuture(BusFailure.invalid("body", "must not be empty"));
    }
    if (request.body().getBytes(StandardCharsets.UTF_8).length > maxMessageSize) {
      return Future.failedFuture(BusFailure.tooLarge("body", "longer than " + maxMessageSize + " bytes"));
    }
    if (request.to() == null || request.to().isBlank()) {
      return Future.failedFuture(BusFailure.invalid("to", "required"));
    }
    String from = request.from().username();
    return users.find(from).compose(sender -> {
      if (sender.isEmpty()) {
        return Future.failedFuture(StoreException.notFound("no sender " + from));
      }
      return router.routeText(sender.get(), request.to(), request.body());
    }).compose(outcome -> {
      if (outcome instanceof MessageRouter.Delivered d) {
        return Future.succeededFuture(d.message().toBus());
      } else if (outcome instanceof MessageRouter.Stored s) {
        return Future.succeededFuture(s.message().toBus());
      } else if (outcome instanceof MessageRouter.NotAMember) {
        return Future.failedFuture(BusFailure.forbidden("to", "you are not a member of " + request.to()));
      }
      return Future.failedFuture(BusFailure.notFound("to", "no user " + request.to()));
    });
  }

  private Future<ImMessages> history(ImHistoryQuery q) {
    String user = q.caller().username();
    String with = q.with();
    int limit = Math.max(1, Math.min(MAX_PAGE, q.limit()));
    Instant before;
    try {
      before = q.before() == null ? null : Instant.parse(q.before());
    } catch (DateTimeParseException e) {
      return Future.failedFuture(BusFailure.invalid("before", "an ISO-8601 instant such as 2026-01-31T12:00:00Z"));
    }
    if (with == null || with.isBlank()) {
      return Future.failedFuture(BusFailure.invalid("with", "required"));
    }
    Future<java.util.List<StoredMessage>> page;
    if (with.startsWith(Room.ADDRESS_PREFIX)) {
      String name = with.substring(Room.ADDRESS_PREFIX.length());
      page = rooms.find(name).compose(room -> room.isEmpty() || !room.get().members().contains(user)
          ? Future.failedFuture(BusFailure.notFound("with", "no room " + name + " of yours"))
          : store.history("room:" + name, user, before, limit));
    } else {
      page = users.findByUsernameOrExtension(with).compose(peer -> peer.isEmpty()
          ? Future.failedFuture(BusFailure.notFound("with", "no user " + with))
          : store.history(StoredMessage.conversationOf(user, peer.get().username()), null, before, limit));
    }
    return page.map(messages -> new ImMessages(messages.stream().map(StoredMessage::toBus).toList()));
  }

  private Future<ImMessages> search(ImSearchQuery q) {
    String user = q.caller().username();
    if (q.q() != null && q.q().length() > MessageSearch.MAX_QUERY_LENGTH) {
      return Future.failedFuture(BusFailure.invalid("q", "at most " + MessageSearch.MAX_QUERY_LENGTH + " characters"));
    }
    java.util.List<String> words = MessageSearch.wordsOf(q.q());
    if (words.size() > MessageSearch.MAX_WORDS) {
      return Future.failedFuture(BusFailure.invalid("q", "at most " + MessageSearch.MAX_WORDS + " words"));
    }
    if (words.isEmpty() && blank(q.from())) {
      return Future.failedFuture(BusFailure.invalid("q", "required: words to look for (or from, a sender)"));
    }
    if (!blank(q.with()) && !blank(q.room())) {
      return Future.failedFuture(BusFailure.invalid("room", "either with or room, not both"));
    }
    Instant after;
    Instant before;
    try {
      after = blank(q.after()) ? null : Instant.parse(q.after());
    } catch (DateTimeParseException e) {
      return Future.failedFuture(BusFailure.invalid("after", "an ISO-8601 instant such as 2026-01-31T12:00:00Z"));
    }
    try {
      before = blank(q.before()) ? null : Instant.parse(q.before());
    } catch (DateTimeParseException e) {
      return Future.failedFuture(BusFailure.invalid("before", "an ISO-8601 instant such as 2026-01-31T12:00:00Z"));
    }
    int limit = Math.max(1, Math.min(MAX_PAGE, q.limit()));
    Future<String> conversation;
    if (!blank(q.room())) {
      String name = q.room().startsWith(Room.ADDRESS_PREFIX) ? q.room().substring(Room.ADDRESS_PREFIX.length()) : q.room();
      conversation = rooms.find(name).compose(room -> room.isEmpty() || !room.get().members().contains(user)
          ? Future.failedFuture(BusFailure.notFound("room", "no room " + name + " of yours"))
          : Future.succeededFuture("room:" + name));
    } else if (!blank(q.with())) {
      conversation = users.findByUsernameOrExtension(q.with()).compose(peer -> peer.isEmpty()
          ? Future.failedFuture(BusFailure.notFound("with", "no user " + q.with()))
          : Future.succeededFuture(StoredMessage.conversationOf(user, peer.get().username())));
    } else {
      conversation = Future.succeededFuture(null);
    }
    Future<String> from = blank(q.from()) ? Future.succeededFuture(null)
        : users.findByUsernameOrExtension(q.from()).compose(sender -> sender.isEmpty()
            ? Future.failedFuture(BusFailure.notFound("from", "no user " + q.from()))
            : Future.succeededFuture(sender.get().username()));
    return Future.all(conversation, from)
        .compose(both -> store.search(new MessageSearch(user, words, conversation.result(), from.result(), after, before,
            limit)))
        .map(messages -> new ImMessages(messages.stream().map(StoredMessage::toBus).toList()));
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private Future<ImConversations> conversations(ImConversationsQuery q) {
    String user = q.caller().username();
    return store.recentFor(user, 1000).map(recent -> {
      Map<String, ImConversations.Conversation> byPeer = new LinkedHashMap<>();
      // A broadcast's copies are for phones: the console shows broadcasts in its ticker.
      recent.stream().filter(m -> Broadcast.copyOf(m) == null).filter(m -> m.room() == null || m.to().equals(user)).forEach(m -> {
        String peer = m.room() != null ? Room.ADDRESS_PREFIX + m.room() : m.from().equals(user) ? m.to() : m.from();
        byPeer.putIfAbsent(peer, new ImConversations.Conversation(peer, m.toBus()));
      });
      return new ImConversations(java.util.List.copyOf(byPeer.values()));
    });
  }

  static final java.util.regex.Pattern ROOM_NAME = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9-]{1,31}");

  private Future<RoomInfo> createRoom(RoomCreate q) {
    String user = q.caller().username();
    String name = q.name();
    if (name == null || !ROOM_NAME.matcher(name).matches()) {
      return Future.failedFuture(BusFailure.invalid("name", "2 to 32 characters, lower-case letters, digits and '-'"));
    }
    java.util.LinkedHashSet<String> members = new java.util.LinkedHashSet<>();
    members.add(user);
    for (String m : q.members()) {
      if (m == null || m.isBlank()) {
        return Future.failedFuture(BusFailure.invalid("members", "a list of usernames"));
      }
      members.add(m);
    }
    return Future.all(members.stream().map(users::find).toList()).compose(found -> {
      java.util.List<String> names = new java.util.ArrayList<>(members);
      for (int i = 0; i < names.size(); i++) {
        if (found.<java.util.Optional<?>>resultAt(i).isEmpty()) {
          return Future.failedFuture(BusFailure.notFound("members", "no user " + names.get(i)));
        }
      }
      return rooms.create(new Room(name, names, user, Instant.now()));
    }).recover(e -> Future.failedFuture(e instanceof StoreException se && se.kind() == StoreException.Kind.CONFLICT
        ? BusFailure.conflict("name", "a room " + name + " exists already") : e))
        .map(Room::toBus);
  }

  private Future<Rooms> listRooms(RoomListQuery q) {
    Caller caller = q.caller();
    return rooms.list().map(all -> new Rooms(all.stream()
        .filter(room -> caller.isAdmin() || room.members().contains(caller.username())).map(Room::toBus).toList()));
  }

  private Future<NoContent> deleteRoom(RoomDelete q) {
    Caller caller = q.caller();
    String name = q.name();
    return rooms.find(name).compose(room -> {
      if (room.isEmpty()) {
        return Future.failedFuture(BusFailure.notFound(null, "no room " + name));
      }
      if (!caller.isAdmin() && !room.get().createdBy().equals(caller.username())) {
        return Future.failedFuture(
            BusFailure.forbidden(null, "only the room's creator or an administrator may delete it"));
      }
      return rooms.delete(name);
    }).map(NoContent.INSTANCE);
  }

  /** The store's failures as the console should see them; anything else is a 500. */
  static BusFailure translate(Throwable e) {
    if (e instanceof StoreException se) {
      return switch (se.kind()) {
        case NOT_FOUND -> new BusFailure(404, null, se.getMessage());
        case CONFLICT -> new BusFailure(409, se.field(), se.getMessage());
        case UNAVAILABLE -> BusFailure.unavailable(se.getMessage());
      };
    }
    return BusFailure.internal();
  }
}
