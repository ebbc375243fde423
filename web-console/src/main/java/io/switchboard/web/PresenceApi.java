package io.switchboard.web;

import io.switchboard.api.EventAddresses;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * {@code /api/buddies} and {@code /api/presence/...} for the logged-in user, answered by the presence
 * module over the event bus. What one may see of others is filtered there, by their rules.
 */
final class PresenceApi {

  private final EventBus bus;

  PresenceApi(EventBus bus) {
    this.bus = bus;
  }

  private static JsonObject me(RoutingContext ctx) {
    return new JsonObject().put("user", WebConsole.user(ctx).username());
  }

  private static JsonObject body(RoutingContext ctx, Set<String> fields) {
    return RequestBodies.object(ctx.body().asJsonObject(), fields);
  }

  void buddies(RoutingContext ctx) {
    BusRequests.forward(ctx, bus, EventAddresses.PRESENCE_BUDDIES, me(ctx).put("op", "list"), 200);
  }

  /** POST {"username", "group"?, "displayName"?}: 201 with the whole list. */
  void addBuddy(RoutingContext ctx) {
    JsonObject b = body(ctx, Set.of("username", "group", "displayName"));
    for (String f : new String[] {"username", "group", "displayName"}) {
      if (b.containsKey(f) && !(b.getValue(f) instanceof String)) {
        throw ApiException.invalid(f, "must be a string");
      }
    }
    if (b.getString("username") == null || b.getString("username").isBlank()) {
      throw ApiException.invalid("username", "required");
    }
    BusRequests.forward(ctx, bus, EventAddresses.PRESENCE_BUDDIES, me(ctx).put("op", "add").mergeIn(b), 201);
  }

  void removeBuddy(RoutingContext ctx) {
    BusRequests.forward(ctx, bus, EventAddresses.PRESENCE_BUDDIES,
        me(ctx).put("op", "remove").put("username", ctx.pathParam("username")),
        (c, reply) -> c.response().setStatusCode(204).end());
  }

  void get(RoutingContext ctx) {
    BusRequests.forward(ctx, bus, EventAddresses.PRESENCE_GET, me(ctx).put("of", ctx.pathParam("user")), 200);
  }

  /** PUT {"state": available|away|busy|dnd, "note"?, "until"?}. */
  void setMine(RoutingContext ctx) {
    JsonObject b = body(ctx, Set.of("state", "note", "until"));
    for (String f : new String[] {"state", "note", "until"}) {
      if (b.getValue(f) != null && !(b.getValue(f) instanceof String)) {
        throw ApiException.invalid(f, "must be a string");
      }
    }
    BusRequests.forward(ctx, bus, EventAddresses.PRESENCE_SET, me(ctx).mergeIn(b), 200);
  }

  void rules(RoutingContext ctx) {
    BusRequests.forward(ctx, bus, EventAddresses.PRESENCE_RULES, me(ctx).put("op", "get"), 200);
  }

  /** PUT {"rules": [{"watcher", "action"}]}: replaces the whole set. */
  void putRules(RoutingContext ctx) {
    JsonObject b = body(ctx, Set.of("rules"));
    if (!(b.getValue("rules") instanceof JsonArray rules)) {
      throw ApiException.invalid("rules", "required: a list of {\"watcher\", \"action\"}");
    }
    BusRequests.forward(ctx, bus, EventAddresses.PRESENCE_RULES, me(ctx).put("op", "put").put("rules", rules), 200);
  }

  void pending(RoutingContext ctx) {
    BusRequests.forward(ctx, bus, EventAddresses.PRESENCE_PENDING, me(ctx), 200);
  }
}
