package io.switchboard.web;

import io.switchboard.api.admin.LogLevelsRequest;
import io.switchboard.api.EventAddresses;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * {@code GET/PUT /api/admin/log-levels} (admins): the log levels now, and one changed at run time,
 * {@code {"logger": "io.switchboard.im" or "ROOT", "level": "DEBUG" or null}}. The server, which owns
 * the logging backend, answers over the bus; each change is an admin change (AdminAudit).
 */
final class LogLevelsApi {

  static final String PATH = "/api/admin/log-levels";

  private final EventBus bus;

  LogLevelsApi(EventBus bus) {
    this.bus = bus;
  }

  void get(RoutingContext ctx) {
    BusRequests.forward(ctx, bus, EventAddresses.LOG_LEVELS, LogLevelsRequest.read(BusRequests.caller(ctx)), 200);
  }

  void put(RoutingContext ctx) {
    JsonObject body = RequestBodies.object(ctx.body().asJsonObject(), Set.of("logger", "level"));
    if (!(body.getValue("logger") instanceof String logger) || logger.isBlank()) {
      throw ApiException.invalid("logger", "required: a logger name such as io.switchboard.im, or ROOT");
    }
    if (!body.containsKey("level") || !(body.getValue("level") == null || body.getValue("level") instanceof String)) {
      throw ApiException.invalid("level", "required: TRACE, DEBUG, INFO, WARN, ERROR or OFF, or null to inherit");
    }
    BusRequests.forward(ctx, bus, EventAddresses.LOG_LEVELS,
        LogLevelsRequest.set(BusRequests.caller(ctx), logger.trim(), body.getString("level")), 200);
  }
}
