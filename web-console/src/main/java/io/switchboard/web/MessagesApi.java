package io.switchboard.web;

import io.switchboard.api.EventAddresses;
import io.switchboard.api.ImSend;
import io.switchboard.api.im.ImConversationsQuery;
import io.switchboard.api.im.ImHistoryQuery;
import io.switchboard.api.im.ImSearchQuery;
import io.switchboard.api.im.ImSeen;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * {@code /api/messages} and {@code /api/conversations} for the logged-in user. The web console
 * does not know IM's classes: it asks over the event bus (records in uc-api), so a message typed
 * here takes the same path as a SIP MESSAGE.
 */
final class MessagesApi {

  private final EventBus bus;

  MessagesApi(EventBus bus) {
    this.bus = bus;
  }

  /** POST {"to", "body"}: 200 when a device of the recipient took it, 202 when it was stored. */
  void send(RoutingContext ctx) {
    send(ctx, null);
  }

  /** POST /api/rooms/{name}/messages {"body"}: the same as a message to room-{name}. */
  void sendToRoom(RoutingContext ctx) {
    send(ctx, "room-" + ctx.pathParam("name"));
  }

  private void send(RoutingContext ctx, String room) {
    JsonObject body = RequestBodies.object(ctx.body().asJsonObject(), Set.of("to", "body"));
    if (room != null && !body.containsKey("to")) {
      body.put("to", room);
    }
    if (!(body.getValue("to") instanceof String to) || to.isBlank()) {
      throw ApiException.invalid("to", "required: a username or an extension");
    }
    if (!(body.getValue("body") instanceof String text) || text.isBlank()) {
      throw ApiException.invalid("body", "required: the text to send");
    }
    ImSend send = new ImSend(BusRequests.caller(ctx), to.trim(), text);
    BusRequests.forward(ctx, bus, EventAddresses.IM_SEND, send, (c, message) -> {
      c.response().setStatusCode("DELIVERED".equals(message.getString("state")) ? 200 : 202);
      c.json(message);
    });
  }

  /** GET ?with=bob&before=ISO-instant&limit=50: a page of the conversation, newest first. */
  void history(RoutingContext ctx) {
    String with = ctx.request().getParam("with");
    if (with == null || with.isBlank()) {
      throw ApiException.invalid("with", "required: the other person's username or extension");
    }
    ImHistoryQuery query = new ImHistoryQuery(BusRequests.caller(ctx), with, ctx.request().getParam("before"), limit(ctx));
    BusRequests.forward(ctx, bus, EventAddresses.IM_HISTORY, query, 200);
  }

  /**
   * GET /api/messages/search?q=words&with=&room=&from=&after=&before=&limit=: the caller's messages that
   * have every word, newest first; the next page with {@code before} = the last hit's createdAt.
   */
  void search(RoutingContext ctx) {
    var p = ctx.request().params();
    ImSearchQuery query = new ImSearchQuery(BusRequests.caller(ctx), p.get("q"), p.get("with"), p.get("room"),
        p.get("from"), p.get("after"), p.get("before"), limit(ctx));
    BusRequests.forward(ctx, bus, EventAddresses.IM_SEARCH, query, 200);
  }

  /** The page size asked for: 50 unless given, from 1 to 200. */
  private static int limit(RoutingContext ctx) {
    String limitParam = ctx.request().getParam("limit");
    if (limitParam == null) {
      return 50;
    }
    int limit;
    try {
      limit = Integer.parseInt(limitParam);
    } catch (NumberFormatException e) {
      throw ApiException.invalid("limit", "a whole number from 1 to 200");
    }
    if (limit < 1 || limit > 200) {
      throw ApiException.invalid("limit", "a whole number from 1 to 200");
    }
    return limit;
  }

  /**
   * POST /api/messages/{id}/seen: the user saw a message they received (the console sends it for what it
   * showed): 200 with the message and its displayedAt; 404 when it is not theirs.
   */
  void seen(RoutingContext ctx) {
    BusRequests.forward(ctx, bus, EventAddresses.IM_SEEN, new ImSeen(BusRequests.caller(ctx), ctx.pathParam("id")), 200);
  }

  void conversations(RoutingContext ctx) {
    BusRequests.forward(ctx, bus, EventAddresses.IM_CONVERSATIONS, new ImConversationsQuery(BusRequests.caller(ctx)), 200);
  }
}
