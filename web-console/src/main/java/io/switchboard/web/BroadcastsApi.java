package io.switchboard.web;

import io.switchboard.api.EventAddresses;
import io.switchboard.api.im.BroadcastAudience;
import io.switchboard.api.im.BroadcastQuery;
import io.switchboard.api.im.BroadcastRef;
import io.switchboard.api.im.BroadcastSend;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code /api/broadcasts}: administrators and broadcasters send and withdraw notices (IM decides who may,
 * 403 otherwise); everyone lists the current ones for them and dismisses them from their ticker.
 */
final class BroadcastsApi {

  private final EventBus bus;

  BroadcastsApi(EventBus bus) {
    this.bus = bus;
  }

  /** POST {"text", "to": "all" | {"group": name} | [usernames], "expiresAt"?, "replaces"?}: 201 with the broadcast. */
  void send(RoutingContext ctx) {
    JsonObject body = RequestBodies.object(ctx.body().asJsonObject(), Set.of("text", "to", "expiresAt", "replaces"));
    if (!(body.getValue("text") instanceof String text)) {
      throw ApiException.invalid("text", "required");
    }
    BroadcastAudience to = audience(body.getValue("to"));
    if (body.getValue("expiresAt") != null && !(body.getValue("expiresAt") instanceof String)) {
      throw ApiException.invalid("expiresAt", "an ISO-8601 instant such as 2026-12-01T17:00:00Z");
    }
    if (body.getValue("replaces") != null && !(body.getValue("replaces") instanceof String)) {
      throw ApiException.invalid("replaces", "the id of a current broadcast");
    }
    BroadcastSend request = new BroadcastSend(BusRequests.caller(ctx), text, to, body.getString("expiresAt"),
        body.getString("replaces"));
    BusRequests.forward(ctx, bus, EventAddresses.IM_BROADCAST_SEND, request, (c, broadcast) -> {
      c.response().setStatusCode(201).putHeader("Location", "/api/broadcasts/" + broadcast.getString("id"));
      c.json(broadcast);
    });
  }

  private static BroadcastAudience audience(Object to) {
    if ("all".equals(to)) {
      return BroadcastAudience.all();
    }
    if (to instanceof JsonObject group && group.size() == 1 && group.getValue("group") instanceof String name
        && !name.isBlank()) {
      return BroadcastAudience.group(name);
    }
    if (to instanceof JsonArray list && !list.isEmpty()) {
      List<String> names = new ArrayList<>();
      for (Object o : list) {
        if (!(o instanceof String s) || s.isBlank()) {
          throw ApiException.invalid("to", "\"all\", {\"group\": name} or a list of usernames");
        }
        names.add(s);
      }
      return BroadcastAudience.users(names);
    }
    throw ApiException.invalid("to", "\"all\", {\"group\": name} or a list of usernames");
  }

  void list(RoutingContext ctx) {
    BusRequests.forward(ctx, bus, EventAddresses.IM_BROADCAST_LIST, new BroadcastQuery(BusRequests.caller(ctx)), 200);
  }

  void withdraw(RoutingContext ctx) {
    BusRequests.forward(ctx, bus, EventAddresses.IM_BROADCAST_WITHDRAW,
        new BroadcastRef(BusRequests.caller(ctx), ctx.pathParam("id")), (c, reply) -> c.response().setStatusCode(204).end());
  }

  void dismiss(RoutingContext ctx) {
    BusRequests.forward(ctx, bus, EventAddresses.IM_BROADCAST_DISMISS,
        new BroadcastRef(BusRequests.caller(ctx), ctx.pathParam("id")), (c, reply) -> c.response().setStatusCode(204).end());
  }
}
