package io.switchboard.im;

import io.switchboard.core.bus.EventAddresses;
import io.switchboard.core.bus.ImSend;
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
  private final int maxMessageSize;

  ImBusApi(Vertx vertx, UserStore users, MessageRouter router, MessageStore store, int maxMessageSize) {
    this.vertx = vertx;
    this.users = users;
    this.router = router;
    this.store = store;
    this.maxMessageSize = maxMessageSize;
  }

  Future<Void> start() {
    return Future.all(
        vertx.eventBus().<JsonObject>consumer(EventAddresses.IM_SEND, this::send).completion(),
        vertx.eventBus().<JsonObject>consumer(EventAddresses.IM_HISTORY, this::history).completion(),
        vertx.eventBus().<JsonObject>consumer(EventAddresses.IM_CONVERSATIONS, this::conversations).completion())
        .mapEmpty();
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
    users.findByUsernameOrExtension(with).compose(peer -> {
      if (peer.isEmpty()) {
        return Future.failedFuture(StoreException.notFound("with: no user " + with));
      }
      return store.history(StoredMessage.conversationOf(user, peer.get().username()), before, limit);
    }).onComplete(r -> {
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
      r.result().stream().filter(m -> m.room() == null).forEach(m -> {
        String peer = m.from().equals(user) ? m.to() : m.from();
        byPeer.putIfAbsent(peer, new JsonObject().put("with", peer).put("last", m.toBus().toJson()));
      });
      msg.reply(new JsonObject().put("conversations", new JsonArray(java.util.List.copyOf(byPeer.values()))));
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
