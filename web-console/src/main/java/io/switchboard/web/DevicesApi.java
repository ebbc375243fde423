package io.switchboard.web;

import io.switchboard.api.BusCalls;
import io.switchboard.api.EventAddresses;
import io.switchboard.api.provisioning.DeviceRequest;
import io.switchboard.api.provisioning.ImportRequest;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code /api/users/{username}/devices}, {@code /api/devices/{id}} and {@code /api/import}:
 * administrators manage devices and import users and devices from CSV. Behind
 * {@code authenticated()} and {@code admin()}; provisioning answers over the bus (validation there;
 * its failures name the field, and so do the JSON errors).
 */
final class DevicesApi {

  static final long IMPORT_TIMEOUT_MILLIS = 15 * 60_000;

  private final EventBus bus;

  DevicesApi(EventBus bus) {
    this.bus = bus;
  }

  void list(RoutingContext ctx) {
    ask(ctx, DeviceRequest.list(BusRequests.caller(ctx), ctx.pathParam("username")), 200);
  }

  void create(RoutingContext ctx) {
    // Checked where devices are: provisioning's DeviceRequests (a missing body is a 400 there too).
    JsonObject body = ctx.body().asJsonObject();
    DeviceRequest create = DeviceRequest.create(BusRequests.caller(ctx), ctx.pathParam("username"), body);
    BusRequests.forward(ctx, bus, EventAddresses.DEVICES, create, (c, device) -> {
          c.response().setStatusCode(201).putHeader("Location", "/api/devices/" + device.getString("id"));
          c.json(device);
        });
  }

  void get(RoutingContext ctx) {
    ask(ctx, DeviceRequest.get(BusRequests.caller(ctx), ctx.pathParam("id")), 200);
  }

  void patch(RoutingContext ctx) {
    // Checked where devices are: provisioning's DeviceRequests (a missing body is a 400 there too).
    JsonObject body = ctx.body().asJsonObject();
    ask(ctx, DeviceRequest.patch(BusRequests.caller(ctx), ctx.pathParam("id"), body), 200);
  }

  void delete(RoutingContext ctx) {
    BusRequests.forward(ctx, bus, EventAddresses.DEVICES, DeviceRequest.delete(BusRequests.caller(ctx), ctx.pathParam("id")),
        (c, reply) -> c.response().setStatusCode(204).end());
  }

  /** All or nothing: 200 with the counts, or 400 with every bad row and nothing imported. */
  void importCsv(RoutingContext ctx) {
    String csv = ctx.body().asString("UTF-8");
    if (csv == null || csv.isBlank()) {
      throw new ApiException(400, "invalid", null, "a CSV body (Content-Type: text/csv) is required");
    }
    // Hashing every new user's password takes a while: a long wait, not the bus's 30 s.
    BusCalls.request(bus, EventAddresses.IMPORT, new ImportRequest(BusRequests.caller(ctx), csv),
        new DeliveryOptions().setSendTimeout(IMPORT_TIMEOUT_MILLIS)).onComplete(r -> {
          if (r.failed()) {
            ctx.fail(BusRequests.translate(r.cause()));
            return;
          }
          JsonObject report = r.result();
          int wrong = report.getJsonArray("errors").size();
          if (wrong > 0) {
            // An error like every other 400, with the rows that are wrong
            report.put("error", "invalid").put("message", wrong + " error(s) in the file: nothing was imported");
          }
          ctx.response().setStatusCode(wrong == 0 ? 200 : 400);
          ctx.json(report);
        });
  }

  private void ask(RoutingContext ctx, DeviceRequest request, int status) {
    BusRequests.forward(ctx, bus, EventAddresses.DEVICES, request, status);
  }
}
