package io.switchboard.web;

import io.switchboard.api.BusCalls;
import io.switchboard.api.Caller;
import io.switchboard.api.EventAddresses;
import io.switchboard.api.im.RoomInfo;
import io.switchboard.api.im.Rooms;
import io.switchboard.api.telephony.ConferenceQuery;
import io.switchboard.api.telephony.ConferenceStart;
import io.switchboard.api.telephony.ConferenceState;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.switchboard.api.im.RoomCreate;
import io.switchboard.api.im.RoomDelete;
import io.switchboard.api.im.RoomListQuery;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code /api/rooms}: any user creates rooms; members see them; the creator or an admin deletes them.
 * A member calls the room into a conference ({@code POST /api/rooms/{name}/call}, telephony decides who
 * is rung); {@code GET /api/rooms/{name}} shows the room with its conference.
 */
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

  /** GET: the room, with {@code "conference": {"active", "members"}} (inactive when telephony does not answer). */
  void get(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    Caller caller = BusRequests.caller(ctx);
    room(caller, name, caller.isAdmin())
        .compose(room -> conference(name).map(c -> room.toJson().put("conference", conferenceJson(c))))
        .onComplete(r -> {
          if (r.failed()) {
            ctx.fail(r.cause() instanceof ApiException e ? e : BusRequests.translate(r.cause()));
          } else {
            ctx.json(r.result());
          }
        });
  }

  /** POST /api/rooms/{name}/call: 202 {"rung", "asked", "extension"}; members only. */
  void call(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    Caller caller = BusRequests.caller(ctx);
    room(caller, name, false)
        .compose(room -> BusCalls.request(bus, EventAddresses.CONFERENCE_START, new ConferenceStart(caller, name,
            room.members())).recover(e -> Future.failedFuture(BusRequests.translate(e))))
        .onComplete(r -> {
          if (r.failed()) {
            ctx.fail(r.cause());
          } else {
            ctx.response().setStatusCode(202);
            ctx.json(r.result());
          }
        });
  }

  static JsonObject conferenceJson(ConferenceState c) {
    return new JsonObject().put("active", c.active()).put("members", new JsonArray(c.members()));
  }

  /**
   * The room, when the caller is a member (or {@code adminsToo} and an admin): 404 when there is none,
   * 403 when it is someone else's. The caller's own list answers the usual case; only a miss asks again,
   * with every room, to tell the two apart.
   */
  private Future<RoomInfo> room(Caller caller, String name, boolean adminsToo) {
    return rooms(caller).compose(mine -> {
      Optional<RoomInfo> found = mine.stream().filter(r -> r.name().equals(name)).findFirst();
      if (found.isPresent()) {
        return found.get().members().contains(caller.username()) || adminsToo ? Future.succeededFuture(found.get())
            : Future.failedFuture(forbidden(name));
      }
      Future<List<RoomInfo>> all = caller.isAdmin() ? Future.succeededFuture(mine) : rooms(Caller.admin(caller.username()));
      return all.compose(every -> every.stream().anyMatch(r -> r.name().equals(name))
          ? Future.<RoomInfo>failedFuture(forbidden(name))
          : Future.<RoomInfo>failedFuture(ApiException.notFound("no room " + name)));
    });
  }

  private static ApiException forbidden(String name) {
    return new ApiException(403, "forbidden", null, "you are not a member of the room " + name);
  }

  private Future<List<RoomInfo>> rooms(Caller caller) {
    return BusCalls.request(bus, EventAddresses.IM_ROOM_LIST, new RoomListQuery(caller)).map(j -> Rooms.fromJson(j).rooms())
        .recover(e -> Future.failedFuture(BusRequests.translate(e)));
  }

  private Future<ConferenceState> conference(String name) {
    return BusCalls.request(bus, EventAddresses.CONFERENCE_GET, new ConferenceQuery(name),
            new DeliveryOptions().setSendTimeout(CONFERENCE_TIMEOUT_MILLIS))
        .map(ConferenceState::fromJson).recover(e -> Future.succeededFuture(ConferenceState.none(name)));
  }

  /** How long the room page waits for telephony before showing no conference. */
  private static final long CONFERENCE_TIMEOUT_MILLIS = 3_000;
}
