package io.switchboard.web;

import io.switchboard.api.EventAddresses;
import io.switchboard.core.model.Role;
import io.switchboard.core.model.User;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/** {@code /api/rooms}: any user creates rooms; members see them; the creator or an admin deletes them. */
final class RoomsApi {

  private final EventBus bus;

  RoomsApi(EventBus bus) {
    this.bus = bus;
  }

  /** POST {"name", "members": [usernames]}: 201 with the room; the creator is always a member. */
  void create(RoutingContext ctx) {
    JsonObject body = RequestBodies.object(ctx.body().asJsonObject(), Set.of("name", "members"));
    if (!(body.getValue("name") instanceof String name)) {
      throw ApiException.invalid("name", "required");
    }
    Object members = body.getValue("members", new JsonArray());
    if (!(members instanceof JsonArray list)) {
      throw ApiException.invalid("members", "a list of usernames");
    }
    JsonObject request = new JsonObject().put("user", WebConsole.user(ctx).username()).put("name", name)
        .put("members", list);
    BusRequests.forward(ctx, bus, EventAddresses.IM_ROOM_CREATE, request, (c, room) -> {
      c.response().setStatusCode(201).putHeader("Location", "/api/rooms/" + name);
      c.json(room);
    });
  }

  void list(RoutingContext ctx) {
    BusRequests.forward(ctx, bus, EventAddresses.IM_ROOM_LIST, identity(ctx), 200);
  }

  void delete(RoutingContext ctx) {
    BusRequests.forward(ctx, bus, EventAddresses.IM_ROOM_DELETE, identity(ctx).put("name", ctx.pathParam("name")),
        (c, reply) -> c.response().setStatusCode(204).end());
  }

  private static JsonObject identity(RoutingContext ctx) {
    User user = WebConsole.user(ctx);
    return new JsonObject().put("user", user.username()).put("admin", user.role() == Role.ADMIN);
  }
}
