package io.switchboard.web;

import io.switchboard.api.EventAddresses;
import io.switchboard.api.im.RoomCreate;
import io.switchboard.api.im.RoomDelete;
import io.switchboard.api.im.RoomListQuery;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
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
    List<String> names = new ArrayList<>();
    for (Object m : list) {
      if (!(m instanceof String s) || s.isBlank()) {
        throw ApiException.invalid("members", "a list of usernames");
      }
      names.add(s);
    }
    RoomCreate request = new RoomCreate(BusRequests.caller(ctx), name, names);
    BusRequests.forward(ctx, bus, EventAddresses.IM_ROOM_CREATE, request, (c, room) -> {
      c.response().setStatusCode(201).putHeader("Location", "/api/rooms/" + name);
      c.json(room);
    });
  }

  void list(RoutingContext ctx) {
    BusRequests.forward(ctx, bus, EventAddresses.IM_ROOM_LIST, new RoomListQuery(BusRequests.caller(ctx)), 200);
  }

  void delete(RoutingContext ctx) {
    BusRequests.forward(ctx, bus, EventAddresses.IM_ROOM_DELETE, new RoomDelete(BusRequests.caller(ctx), ctx.pathParam("name")),
        (c, reply) -> c.response().setStatusCode(204).end());
  }
}
