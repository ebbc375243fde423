package io.switchboard.web;

import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.BiConsumer;

/**
 * How the console asks the feature modules: one event-bus request per API call, the reply turned
 * into the HTTP answer, the failure code (an HTTP status by contract, see EventAddresses) into an
 * {@link ApiException} whose field is the word before the message's first colon.
 */
final class BusRequests {

  private BusRequests() {
  }

  /** Answers {@code status} with the reply as JSON. */
  static void forward(RoutingContext ctx, EventBus bus, String address, JsonObject request, int status) {
    forward(ctx, bus, address, request, (c, reply) -> {
      c.response().setStatusCode(status);
      c.json(reply);
    });
  }

  static void forward(RoutingContext ctx, EventBus bus, String address, JsonObject request,
      BiConsumer<RoutingContext, JsonObject> answer) {
    bus.<JsonObject>request(address, request).onComplete(r -> {
      if (r.failed()) {
        ctx.fail(translate(r.cause()));
      } else {
        answer.accept(ctx, r.result().body());
      }
    });
  }

  static ApiException translate(Throwable e) {
    if (e instanceof ReplyException re) {
      if (re.failureType() == ReplyFailure.NO_HANDLERS || re.failureType() == ReplyFailure.TIMEOUT) {
        return new ApiException(503, "unavailable", null, "this service is not available right now");
      }
      String message = String.valueOf(re.getMessage());
      int colon = message.indexOf(':');
      String field = colon > 0 && message.substring(0, colon).matches("[a-zA-Z]+") ? message.substring(0, colon) : null;
      return switch (re.failureCode()) {
        case 400 -> new ApiException(400, "invalid", field, message);
        case 403 -> new ApiException(403, "forbidden", field, message);
        case 404 -> new ApiException(404, "not-found", field, message);
        case 409 -> ApiException.conflict(field, message);
        case 413 -> new ApiException(413, "too-large", field, message);
        case 503 -> new ApiException(503, "unavailable", null, message);
        default -> new ApiException(500, "internal", null, "internal error");
      };
    }
    return new ApiException(500, "internal", null, "internal error");
  }
}
