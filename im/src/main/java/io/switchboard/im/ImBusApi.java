package io.switchboard.im;

import io.switchboard.api.EventAddresses;
import io.switchboard.api.ImSend;
import io.switchboard.core.store.StoreException;
import io.switchboard.core.store.UserStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * IM's requests on the event bus, for the web console: send as a user, read a conversation's
 * history, list conversations. Failures carry HTTP-like codes (see {@link EventAddresses}).
 */
final class ImBusApi {

  static final int MAX_PAGE = 200;

  private final Vertx vertx;
  private final UserStore users;
  private final MessageRouter router;
  private final MessageStore store;
  private final RoomStore rooms;
  private final int maxMessageSize;
  private final io.switchboard.api.BusConsumers consumers;

  ImBusApi(Vertx vertx, UserStore users, RoomStore rooms, MessageRouter router, MessageStore store,
      int maxMessageSize) {
    this.vertx = vertx;
    this.users = users;
    this.rooms = rooms;
    this.router = router;
    this.store = store;
    this.maxMessageSize = maxMessageSize;
    this.consumers = new io.switchboard.api.BusConsumers(vertx);
  }

  Future<Void> start() {
    return Future.all(
        consumers.<JsonObject>consumer(EventAddresses.IM_SEND, this::send),
        consumers.<JsonObject>consumer(EventAddresses.IM_HISTORY, this::history),
        consumers.<JsonObject>consumer(EventAddresses.IM_CONVERSATIONS, this::conversations),
        consumers.<JsonObject>consumer(EventAddresses.IM_ROOM_CREATE, this::createRoom),
        consumers.<JsonObject>consumer(EventAddresses.IM_ROOM_LIST, this::listRooms),
        consumers.<JsonObject>consumer(EventAddresses.IM_ROOM_DELETE, this::deleteRoom))
        .mapEmpty();
  }

  Future<Void> stop() {
    return consumers.unregisterAll();
  }

  private void send(Message<JsonObject> msg) {
    ImSend request = ImSend.fromJson(msg.body());
    if (request.body() == null || request.body().isBlank()) {
      msg.fail(400, "body: must not be empty");
      return;
    }
    if (request.body().getBytes(StandardCharsets.UTF_8).length > maxMessageSize) {
      msg.fail(413, "body: longer than " + maxMessageSize + " bytes");
      return;
    }
    if (request.to() == null || request.to().isBlank()) {
      msg.fail(400, "to: required");
      return;
    }
    users.find(request.from()).compose(sender -> {
      if (sender.isEmpty()) {
        return Future.failedFuture(StoreException.notFound("no sender " + request.from()));
      }
      return router.routeText(sender.get(), request.to(), request.body());
    }).onComplete(r -> {
      if (r.failed()) {
        fail(msg, r.cause());
      } else if (r.result() instanceof MessageRouter.Delivered d) {
        msg.reply(d.message().toBus().toJson());
      } else if (r.result() instanceof MessageRouter.Stored s) {
        msg.reply(s.message().toBus().toJson());
      } else if (r.result() instanceof MessageRouter.NotAMember) {
        msg.fail(403, "to: you are not a member of " + request.to());
      } else {
        msg.fail(404, "to: no user " + request.to());
      }
    });
  }

  private void history(Message<JsonObject> msg) {
    JsonObject q = msg.body();
    String user = q.getString("user");
    String with = q.getString("with");
    int limit = Math.max(1, Math.min(MAX_PAGE, q.getInteger("limit", 50)));
    Instant before;
    try {
      before = q.getString("before") == null ? null : Instant.parse(q.getString("before"));
    } catch (DateTimeParseException e) {
      msg.fail(400, "before: an ISO-8601 instant such as 2026-01-31T12:00:00Z");
      return;
    }
    if (with == null || with.isBlank()) {
      msg.fail(400, "with: required");
      return;
    }
    Future<java.util.List<StoredMessage>> page;
    if (with.startsWith(Room.ADDRESS_PREFIX)) {
      String name = with.substring(Room.ADDRESS_PREFIX.length());
      page = rooms.find(name).compose(room -> room.isEmpty() || !room.get().members().contains(user)
          ? Future.failedFuture(StoreException.notFound("with: no room " + name + " of yours"))
          : store.history("room:" + name, user, before, limit));
    } else {
      page = users.findByUsernameOrExtension(with).compose(peer -> peer.isEmpty()
          ? Future.failedFuture(StoreException.notFound("with: no user " + with))
          : store.history(StoredMessage.conversationOf(user, peer.get().username()), null, before, limit));
    }
    page.onComplete(r -> {
      if (r.failed()) {
        fail(msg, r.cause());
        return;
      }
      JsonArray out = new JsonArray();
      r.result().forEach(m -> out.add(m.toBus().toJson()));
      msg.reply(new JsonObject().put("messages", out));
    });
  }

  private void conversations(Message<JsonObject> msg) {
    String user = msg.body().getString("user");
    store.recentFor(user, 1000).onComplete(r -> {
      if (r.failed()) {
        fail(msg, r.cause());
        return;
      }
      Map<String, JsonObject> byPeer = new LinkedHashMap<>();
      r.result().stream().filter(m -> m.room() == null || m.to().equals(user)).forEach(m -> {
        String peer = m.room() != null ? Room.ADDRESS_PREFIX + m.room() : m.from().equals(user) ? m.to() : m.from();
        byPeer.putIfAbsent(peer, new JsonObject().put("with", peer).put("last", m.toBus().toJson()));
      });
      msg.reply(new JsonObject().put("conversations", new JsonArray(java.util.List.copyOf(byPeer.values()))));
    });
  }

  static final java.util.regex.Pattern ROOM_NAME = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9-]{1,31}");

  private void createRoom(Message<JsonObject> msg) {
    JsonObject q = msg.body();
    String user = q.getString("user");
    String name = q.getString("name");
    if (name == null || !ROOM_NAME.matcher(name).matches()) {
      msg.fail(400, "name: 2 to 32 characters, lower-case letters, digits and '-'");
      return;
    }
    java.util.LinkedHashSet<String> members = new java.util.LinkedHashSet<>();
    members.add(user);
    JsonArray given = q.getJsonArray("members", new JsonArray());
    for (Object m : given) {
      if (!(m instanceof String s) || s.isBlank()) {
        msg.fail(400, "members: a list of usernames");
        return;
      }
      members.add(s);
    }
    Future.all(members.stream().map(users::find).toList()).compose(found -> {
      java.util.List<String> names = new java.util.ArrayList<>(members);
      for (int i = 0; i < names.size(); i++) {
        if (found.<java.util.Optional<?>>resultAt(i).isEmpty()) {
          return Future.failedFuture(StoreException.notFound("members: no user " + names.get(i)));
        }
      }
      return rooms.create(new Room(name, names, user, Instant.now()));
    }).onComplete(r -> {
      if (r.failed()) {
        if (r.cause() instanceof StoreException se && se.kind() == StoreException.Kind.CONFLICT) {
          msg.fail(409, "name: a room " + name + " exists already");
        } else {
          fail(msg, r.cause());
        }
      } else {
        msg.reply(r.result().toJson());
      }
    });
  }

  private void listRooms(Message<JsonObject> msg) {
    String user = msg.body().getString("user");
    boolean admin = msg.body().getBoolean("admin", false);
    rooms.list().onComplete(r -> {
      if (r.failed()) {
        fail(msg, r.cause());
        return;
      }
      JsonArray out = new JsonArray();
      r.result().stream().filter(room -> admin || room.members().contains(user)).forEach(room -> out.add(room.toJson()));
      msg.reply(new JsonObject().put("rooms", out));
    });
  }

  private void deleteRoom(Message<JsonObject> msg) {
    String user = msg.body().getString("user");
    boolean admin = msg.body().getBoolean("admin", false);
    String name = msg.body().getString("name");
    rooms.find(name).compose(room -> {
      if (room.isEmpty()) {
        return Future.failedFuture(StoreException.notFound("no room " + name));
      }
      if (!admin && !room.get().createdBy().equals(user)) {
        return Future.failedFuture(new SecurityException("only the room's creator or an administrator may delete it"));
      }
      return rooms.delete(name);
    }).onComplete(r -> {
      if (r.failed() && r.cause() instanceof SecurityException se) {
        msg.fail(403, se.getMessage());
      } else if (r.failed()) {
        fail(msg, r.cause());
      } else {
        msg.reply(new JsonObject());
      }
    });
  }

  private static void fail(Message<?> msg, Throwable e) {
    if (e instanceof StoreException se) {
      msg.fail(switch (se.kind()) {
        case NOT_FOUND -> 404;
        case CONFLICT -> 409;
        case UNAVAILABLE -> 503;
      }, se.getMessage());
    } else {
      msg.fail(500, "internal error");
    }
  }
}
