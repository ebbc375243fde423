package io.switchboard.web;

import io.switchboard.api.SecurityEvent;
import io.switchboard.core.metrics.Metrics;
import io.switchboard.core.security.SecurityLog;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * {@code GET /metrics}: the Prometheus text exposition of {@link Metrics}, for a scraper that sends
 * {@code Authorization: Bearer <metrics.token>} or for a logged-in administrator (the handlers after
 * {@link #bearer} check the session). The token is compared in constant time, as digests of equal
 * length; a wrong one is a security event and a 401, whatever a session says.
 */
final class MetricsEndpoint {

  /** Prometheus' text format, version 0.0.4 (what every scraper accepts). */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final Vertx vertx;
  private final Metrics metrics;
  private final Optional<byte[]> token;
  private final SecurityLog security;

  MetricsEndpoint(Vertx vertx, Metrics metrics, Optional<String> token, SecurityLog security) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.token = token.map(MetricsEndpoint::sha256);
    this.security = security;
  }

  /** With an Authorization header the token alone decides; without one, the session (next handlers). */
  void bearer(RoutingContext ctx) {
    String authorization = ctx.request().getHeader("Authorization");
    if (authorization == null) {
      ctx.next();
      return;
    }
    boolean bearer = authorization.regionMatches(true, 0, "Bearer ", 0, 7);
    if (bearer && token.isPresent()
        && MessageDigest.isEqual(token.get(), sha256(authorization.substring(7).trim()))) {
      serve(ctx);
      return;
    }
    security.record(SecurityEvent.Kind.LOGIN_FAILED, "metrics", WebConsole.clientAddress(ctx),
        token.isPresent() ? "/metrics: wrong bearer token" : "/metrics: a bearer token, but metrics.token is not set");
    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"switchboard metrics\"");
    ctx.fail(new ApiException(401, "unauthorized", null,
        "a valid metrics token (Authorization: Bearer) or an administrator's session is needed"));
  }

  /** The exposition, rendered on a worker (every meter is read). */
  void serve(RoutingContext ctx) {
    vertx.executeBlocking(metrics::scrape, false).onComplete(r -> {
      if (r.failed()) {
        ctx.fail(r.cause());
      } else {
        ctx.response().putHeader("Content-Type", CONTENT_TYPE).putHeader("Cache-Control", "no-store").end(r.result());
      }
    });
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
