package io.switchboard.web;

import io.switchboard.api.BusCalls;
import io.switchboard.api.BusFailure;
import io.switchboard.api.BusPayload;
import io.switchboard.api.Caller;
import io.switchboard.core.model.User;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * How the console asks the feature modules: one event-bus request record per API call, made for the
 * logged-in user ({@link #caller}), the reply turned into the HTTP answer and the module's
 * {@link BusFailure} (code, field, message) into an {@link ApiException}.
 */
final class BusRequests {

  private BusRequests() {
  }

  /** The logged-in user as the modules see who asks. */
  static Caller caller(RoutingContext ctx) {
    User user = WebConsole.user(ctx);
    return new Caller(user.username(), Set.of(Caller.Role.valueOf(user.role().name())));
  }

  /** Answers {@code status} with the reply as JSON. */
  static void forward(RoutingContext ctx, EventBus bus, String address, BusPayload request, int status) {
    forward(ctx, bus, address, request, (c, reply) -> {
      c.response().setStatusCode(status);
      c.json(reply);
    });
  }

  static void forward(RoutingContext ctx, EventBus bus, String address, BusPayload request,
      BiConsumer<RoutingContext, JsonObject> answer) {
    BusCalls.request(bus, address, request).onComplete(r -> {
      if (r.failed()) {
        ctx.fail(translate(r.cause()));
      } else {
        answer.accept(ctx, r.result());
      }
    });
  }

  static ApiException translate(Throwable e) {
    BusFailure failure = BusFailure.from(e);
    if (failure.notAnswered()) {
      return new ApiException(503, "unavailable", null, BusFailure.NOT_AVAILABLE);
    }
    String field = failure.field();
    String message = failure.getMessage();
    return switch (failure.code()) {
      case 400 -> new ApiException(400, "invalid", field, message);
      case 403 -> new ApiException(403, "forbidden", field, message);
      case 404 -> new ApiException(404, "not-found", field, message);
      case 409 -> ApiException.conflict(field, message);
      case 413 -> new ApiException(413, "too-large", field, message);
      case 503 -> new ApiException(503, "unavailable", null, message);
      default -> new ApiException(500, "internal", null, "internal error");
    };
  }
}
