package io.switchboard.web;

import io.switchboard.core.account.InvalidField;
import io.switchboard.api.EventAddresses;
import io.switchboard.core.exec.OverloadedException;
import io.switchboard.core.store.StoreException;
import io.vertx.core.Handler;
import io.vertx.core.json.DecodeException;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where failures become HTTP statuses with a JSON body (Hono's DefaultFailureHandler). */
final class ApiFailureHandler implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger(ApiFailureHandler.class);

  @Override
  public void handle(RoutingContext ctx) {
    respond(ctx, ctx.statusCode());
  }

  /** For the router's error handlers: what it refused before any route, with the status it chose. */
  Handler<RoutingContext> forStatus(int status) {
    return ctx -> respond(ctx, status);
  }

  private void respond(RoutingContext ctx, int status) {
    Throwable failure = ctx.failure();
    ApiException error = translate(status, failure);
    if (failure == null && error.status() == 413 && ctx.request().path().equals("/api/import")) {
      error = new ApiException(413, "too-large", null, "a CSV import is at most "
          + EventAddresses.IMPORT_MAX_BYTES / 1024 + " KiB and " + EventAddresses.IMPORT_MAX_ROWS
          + " rows: split the file");
    }
    if (error.status() == 503) {
      // A dependency that is down or not configured: news for the operator, not a bug.
      LOG.warn("API {} [{} {}]: {}", error.status(), ctx.request().method(), ctx.request().path(), error.getMessage());
    } else if (error.status() >= 500) {
      LOG.error("API failure [{} {}]", ctx.request().method(), ctx.request().path(), failure);
    } else {
      LOG.debug("API {} [{} {}]: {}", error.status(), ctx.request().method(), ctx.request().path(), error.getMessage());
    }
    if (ctx.response().ended()) {
      return;
    }
    if (!ctx.request().isEnded()) {
      // Refused before its body was read (no session, not JSON): drop the rest as it comes, so that
      // the client reads this answer and the connection serves its next request.
      ctx.request().handler(null).resume();
    }
    if (error.status() == 503) {
      ctx.response().putHeader("Retry-After",
          String.valueOf(failure instanceof OverloadedException o ? o.retryAfterSeconds() : 30));
    }
    ctx.response().setStatusCode(error.status()).putHeader("Content-Type", "application/json")
        .end(error.toJson().encode());
  }

  static ApiException translate(int status, Throwable failure) {
    if (failure instanceof ApiException api) {
      return api;
    }
    if (failure instanceof InvalidField invalid) {
      return new ApiException(400, "invalid", invalid.field(), invalid.getMessage());
    }
    if (failure instanceof StoreException se) {
      return switch (se.kind()) {
        case NOT_FOUND -> ApiException.notFound(se.getMessage());
        case CONFLICT -> ApiException.conflict(se.field(), se.getMessage());
        case UNAVAILABLE -> new ApiException(503, "unavailable", null, "the store is unavailable, try again shortly");
      };
    }
    if (failure instanceof OverloadedException) {
      return new ApiException(503, "overloaded", null, "the server is busy, try again shortly");
    }
    if (failure instanceof DecodeException) {
      return new ApiException(400, "invalid", null, "the body is not valid JSON");
    }
    if (failure instanceof HttpException http) {
      return new ApiException(http.getStatusCode(), reason(http.getStatusCode()), null,
          http.getPayload() != null ? http.getPayload() : reason(http.getStatusCode()));
    }
    if (failure == null && status >= 400) {
      return new ApiException(status, reason(status), null, reason(status));
    }
    if (status >= 400 && status < 500) {
      // Vert.x itself refused the request (a path that does not decode): the client's fault, said as such.
      return new ApiException(status, reason(status), null, "the request could not be read: " + reason(status));
    }
    return new ApiException(500, "internal", null, "internal error");
  }

  private static String reason(int status) {
    return switch (status) {
      case 400 -> "invalid";
      case 401 -> "unauthorized";
      case 403 -> "forbidden";
      case 404 -> "not-found";
      case 405 -> "method-not-allowed";
      case 413 -> "too-large";
      case 415 -> "unsupported-media-type";
      default -> "error";
    };
  }
}
