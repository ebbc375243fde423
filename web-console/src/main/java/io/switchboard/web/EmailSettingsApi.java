package io.switchboard.web;

import io.switchboard.api.EventAddresses;
import io.switchboard.core.config.EmailAddress;
import io.switchboard.core.model.User;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A user's e-mail for missed messages ({@code email}, {@code notifyMissed}, {@code mutedRooms}) in the users
 * API and {@code /api/me}, kept by the im module and reached over the bus
 * ({@link EventAddresses#IM_EMAIL_SETTINGS}). Fields are checked here (400 naming the field); when the im
 * module does not answer, users are shown without these fields and a change to them is a 503.
 */
final class EmailSettingsApi {

  private static final Logger LOG = LoggerFactory.getLogger(EmailSettingsApi.class);
  static final Set<String> FIELDS = Set.of("email", "notifyMissed", "mutedRooms");

  /** A store read or write: a console page waits for it. */
  private static final io.vertx.core.eventbus.DeliveryOptions TIMEOUT = new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(10_000);
  private final EventBus bus;

  EmailSettingsApi(EventBus bus) {
    this.bus = bus;
  }

  /**
   * Takes the e-mail fields out of a request body (so that the rest goes to the account checks as before)
   * and checks them.
   *
   * @return the change, empty when there is none
   */
  static JsonObject takeFrom(JsonObject body) {
    JsonObject change = new JsonObject();
    for (String field : FIELDS) {
      if (body != null && body.containsKey(field)) {
        change.put(field, body.remove(field));
      }
    }
    if (change.containsKey("email")) {
      Object email = change.getValue("email");
      if (email instanceof String s && s.isBlank()) {
        change.putNull("email"); // an emptied form field removes the address
      } else if (email != null && !(email instanceof String s && EmailAddress.valid(s.strip()))) {
        throw ApiException.invalid("email", "not an e-mail address such as name@example.com");
      } else if (email instanceof String s) {
        change.put("email", s.strip());
      }
    }
    if (change.containsKey("notifyMissed") && !(change.getValue("notifyMissed") instanceof Boolean)) {
      throw ApiException.invalid("notifyMissed", "must be true or false");
    }
    if (change.getValue("notifyMissed") == Boolean.TRUE && change.containsKey("email") && change.getValue("email") == null) {
      throw ApiException.invalid("email", "required to be notified by e-mail");
    }
    if (change.containsKey("mutedRooms") && !(change.getValue("mutedRooms") instanceof JsonArray rooms
        && rooms.stream().allMatch(r -> r instanceof String))) {
      throw ApiException.invalid("mutedRooms", "must be a list of room names");
    }
    return change;
  }

  /** The user as JSON with their e-mail settings (without them when the im module does not answer). */
  Future<JsonObject> withSettings(User user) {
    return request(new JsonObject().put("username", user.username()))
        .map(settings -> user.toJson().mergeIn(settings))
        .recover(e -> {
          LOG.debug("E-mail settings not read [user: {}]: {}", user.username(), e.getMessage());
          return Future.succeededFuture(user.toJson());
        });
  }

  /** Every user's settings by username (empty when the im module does not answer). */
  Future<JsonObject> all() {
    return request(new JsonObject().put("all", true)).map(r -> r.getJsonObject("settings", new JsonObject()))
        .recover(e -> {
          LOG.debug("E-mail settings not read: {}", e.getMessage());
          return Future.succeededFuture(new JsonObject());
        });
  }

  /** Applies a change from {@link #takeFrom}; the user with their settings. */
  Future<JsonObject> change(User user, JsonObject change) {
    if (change.isEmpty()) {
      return withSettings(user);
    }
    return request(new JsonObject().put("username", user.username()).put("change", change))
        .map(settings -> user.toJson().mergeIn(settings))
        .recover(e -> Future.failedFuture(BusRequests.translate(e)));
  }

  /** {@code GET /api/me}. */
  void me(RoutingContext ctx) {
    withSettings(WebConsole.user(ctx)).onComplete(r -> answer(ctx, r));
  }

  /** {@code PATCH /api/me}: the signed-in user's own e-mail settings (their other fields are the admins'). */
  void patchMe(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    JsonObject change = takeFrom(body == null ? new JsonObject() : body.copy());
    if (change.isEmpty()) {
      throw ApiException.invalid("email", "nothing to change: give at least one of " + FIELDS);
    }
    change(WebConsole.user(ctx), change).onComplete(r -> answer(ctx, r));
  }

  private Future<JsonObject> request(JsonObject request) {
    return bus.<JsonObject>request(EventAddresses.IM_EMAIL_SETTINGS, request, TIMEOUT).map(m -> m.body());
  }

  private static void answer(RoutingContext ctx, io.vertx.core.AsyncResult<JsonObject> r) {
    if (r.failed()) {
      ctx.fail(r.cause());
    } else {
      ctx.json(r.result());
    }
  }
}
