package io.switchboard.web;

import io.switchboard.api.Caller;
import io.switchboard.api.EventAddresses;
import io.switchboard.api.presence.BuddiesRequest;
import io.switchboard.api.presence.PendingQuery;
import io.switchboard.api.presence.PresenceQuery;
import io.switchboard.api.presence.PresenceSet;
import io.switchboard.api.presence.RulesRequest;
import io.switchboard.api.presence.WatcherRule;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
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

  private static Caller me(RoutingContext ctx) {
    return BusRequests.caller(ctx);
  }

  private static JsonObject body(RoutingContext ctx, Set<String> fields) {
    return RequestBodies.object(ctx.body().asJsonObject(), fields);
  }

  void buddies(RoutingContext ctx) {
    BusRequests.forward(ctx, bus, EventAddresses.PRESENCE_BUDDIES, BuddiesRequest.list(me(ctx)), 200);
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
    BusRequests.forward(ctx, bus, EventAddresses.PRESENCE_BUDDIES,
        BuddiesRequest.add(me(ctx), b.getString("username"), b.getString("group"), b.getString("displayName")), 201);
  }

  void removeBuddy(RoutingContext ctx) {
    BusRequests.forward(ctx, bus, EventAddresses.PRESENCE_BUDDIES, BuddiesRequest.remove(me(ctx), ctx.pathParam("username")),
        (c, reply) -> c.response().setStatusCode(204).end());
  }

  void get(RoutingContext ctx) {
    BusRequests.forward(ctx, bus, EventAddresses.PRESENCE_GET, new PresenceQuery(me(ctx), ctx.pathParam("user")), 200);
  }

  /** PUT {"state": available|away|busy|dnd, "note"?, "until"?}. */
  void setMine(RoutingContext ctx) {
    JsonObject b = body(ctx, Set.of("state", "note", "until"));
    for (String f : new String[] {"state", "note", "until"}) {
      if (b.getValue(f) != null && !(b.getValue(f) instanceof String)) {
        throw ApiException.invalid(f, "must be a string");
      }
    }
    BusRequests.forward(ctx, bus, EventAddresses.PRESENCE_SET,
        new PresenceSet(me(ctx), b.getString("state"), b.getString("note"), b.getString("until")), 200);
  }

  void rules(RoutingContext ctx) {
    BusRequests.forward(ctx, bus, EventAddresses.PRESENCE_RULES, RulesRequest.get(me(ctx)), 200);
  }

  /** PUT {"rules": [{"watcher", "action"}]}: replaces the whole set. */
  void putRules(RoutingContext ctx) {
    JsonObject b = body(ctx, Set.of("rules"));
    if (!(b.getValue("rules") instanceof JsonArray rules)) {
      throw ApiException.invalid("rules", "required: a list of {\"watcher\", \"action\"}");
    }
    List<WatcherRule> typed = new ArrayList<>();
    for (Object o : rules) {
      if (!(o instanceof JsonObject r) || !(r.getValue("watcher") instanceof String w) || w.isBlank()) {
        throw ApiException.invalid("rules", "each rule needs a watcher (a username or *)");
      }
      // The action is checked by presence, which knows them.
      typed.add(new WatcherRule(w, r.getValue("action") instanceof String a ? a : null));
    }
    BusRequests.forward(ctx, bus, EventAddresses.PRESENCE_RULES, RulesRequest.put(me(ctx), typed), 200);
  }

  void pending(RoutingContext ctx) {
    BusRequests.forward(ctx, bus, EventAddresses.PRESENCE_PENDING, new PendingQuery(me(ctx)), 200);
  }
}
