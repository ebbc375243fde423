package io.switchboard.web;

import io.switchboard.core.account.PasswordLinks;
import io.switchboard.core.account.UserRequests;
import io.switchboard.api.SecurityEvent;
import io.switchboard.core.security.SecurityLog;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.util.Set;

/**
 * Set-password links: {@code POST /api/users/{username}/password-link} (admins) issues one,
 * {@code GET/POST /api/password-reset/{token}} lets its holder see whose it is and choose a password,
 * once. Unknown tokens are 404, used or expired ones 410. Tokens are guessed like passwords, so both
 * token routes pass a {@link LoginThrottle} of their own (per token and per address) before the store
 * is asked; each refusal counts as a failure and is a {@code LOGIN_FAILED} security event (never with
 * the token).
 */
final class PasswordLinksApi {

  /** The console's page for a link; the token rides in the fragment, which browsers never send on. */
  static final String PAGE = "/#/password/";

  private final PasswordLinks links;
  private final LoginThrottle throttle;
  private final SecurityLog security;

  PasswordLinksApi(PasswordLinks links, LoginThrottle throttle, SecurityLog security) {
    this.links = links;
    this.throttle = throttle;
    this.security = security;
  }

  /** Admins: {@code {"url", "expiresAt"}}, the URL on the host the admin reached us by. */
  void issue(RoutingContext ctx) {
    links.issue(ctx.pathParam("username")).onComplete(r -> {
      if (r.failed()) {
        ctx.fail(r.cause());
        return;
      }
      URI self = URI.create(ctx.request().absoluteURI());
      ctx.response().setStatusCode(201);
      ctx.json(new JsonObject().put("username", r.result().username())
          .put("url", self.getScheme() + "://" + self.getRawAuthority() + PAGE + r.result().token())
          .put("expiresAt", r.result().expiresAt().toString()));
    });
  }

  /** Anyone holding the token: whose link it is and until when. */
  void check(RoutingContext ctx) {
    String token = ctx.pathParam("token");
    String address = WebConsole.clientAddress(ctx);
    if (!admitted(ctx, token, address)) {
      return;
    }
    links.check(token).onComplete(r -> {
      if (r.failed()) {
        throttle.abandoned(key(token), address);
        ctx.fail(r.cause());
      } else if (answerRefusal(ctx, r.result(), token, address)) {
        throttle.abandoned(key(token), address); // looking is no attempt: the POST counts
        ctx.json(r.result().toJson());
      }
    });
  }

  /** Anyone holding the token: {@code {"password"}} sets the password, once; 204. */
  void redeem(RoutingContext ctx) {
    JsonObject body = RequestBodies.object(ctx.body().asJsonObject(), Set.of("password"));
    UserRequests.Patch patch = UserRequests.patch(body); // the users API's password rules, 400 naming the field
    if (patch.password().isEmpty()) {
      throw ApiException.invalid("password", "required");
    }
    String token = ctx.pathParam("token");
    String address = WebConsole.clientAddress(ctx);
    if (!admitted(ctx, token, address)) {
      return;
    }
    links.redeem(token, patch.password().get()).onComplete(r -> {
      if (r.failed()) {
        throttle.abandoned(key(token), address);
        ctx.fail(r.cause());
      } else if (answerRefusal(ctx, r.result(), token, address)) {
        throttle.succeeded(key(token), address);
        ctx.response().setStatusCode(204).end();
      }
    });
  }

  private boolean admitted(RoutingContext ctx, String token, String address) {
    LoginThrottle.Verdict verdict = throttle.admit(key(token), address);
    if (verdict.addressNowThrottled()) {
      security.record(SecurityEvent.Kind.SOURCE_THROTTLED, "-", address,
          "set-password links from this address refused for " + verdict.retryAfterSeconds() + " s (bad links)");
    }
    if (!verdict.admitted()) {
      ctx.response().putHeader("Retry-After", String.valueOf(verdict.retryAfterSeconds()));
      ctx.fail(new ApiException(429, "too-many-attempts", null,
          "too many bad links; try again in " + verdict.retryAfterSeconds() + " s"));
      return false;
    }
    return true;
  }

  /** Fails the request for an unknown (404), used or expired (410) link, counting it; true when the link was good. */
  private boolean answerRefusal(RoutingContext ctx, PasswordLinks.Check check, String token, String address) {
    if (check.state() == PasswordLinks.State.VALID) {
      return true;
    }
    throttle.failed(key(token), address);
    boolean gone = check.state() == PasswordLinks.State.GONE;
    security.record(SecurityEvent.Kind.LOGIN_FAILED, gone ? check.username() : "-", address,
        gone ? "set-password link used already or expired" : "unknown set-password link");
    ctx.fail(gone ? new ApiException(410, "gone", null, "this link was used already or has expired; ask for a new one")
        : ApiException.notFound("no such link; ask for a new one"));
    return false;
  }

  /** The throttle's per-token key: the token's own hash would do; a prefix keeps the map small and says nothing. */
  private static String key(String token) {
    return "link:" + Integer.toHexString(token.hashCode());
  }
}
