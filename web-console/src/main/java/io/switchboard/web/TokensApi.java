package io.switchboard.web;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * {@code /api/tokens}: a signed-in user's own personal API tokens. {@code POST} answers the secret
 * once; {@code GET} lists name, created and last used; {@code DELETE /api/tokens/{id}} revokes at once.
 */
final class TokensApi {

  static final int MAX_TOKENS = 50;

  private final ApiTokens tokens;

  TokensApi(ApiTokens tokens) {
    this.tokens = tokens;
  }

  /** POST {"name"}: 201 with {"id", "name", "createdAt", "lastUsedAt", "secret"}. */
  void create(RoutingContext ctx) {
    JsonObject body = RequestBodies.object(ctx.body().asJsonObject(), Set.of("name"));
    if (!(body.getValue("name") instanceof String name) || name.isBlank()) {
      throw ApiException.invalid("name", "required: what the token is for");
    }
    tokens.list(WebConsole.user(ctx)).compose(existing -> {
      if (existing.size() >= MAX_TOKENS) {
        throw ApiException.conflict("name", "at most " + MAX_TOKENS + " tokens per user: revoke one first");
      }
      return tokens.create(WebConsole.user(ctx), name.strip());
    }).onComplete(r -> {
      if (r.failed()) {
        ctx.fail(r.cause());
        return;
      }
      ctx.response().setStatusCode(201).putHeader("Location", "/api/tokens/" + r.result().token().id())
          .putHeader("Cache-Control", "no-store");
      ctx.json(ApiTokens.toJson(r.result().token()).put("secret", r.result().secret()));
    });
  }

  void list(RoutingContext ctx) {
    tokens.list(WebConsole.user(ctx)).onComplete(r -> {
      if (r.failed()) {
        ctx.fail(r.cause());
        return;
      }
      JsonArray list = new JsonArray();
      r.result().forEach(t -> list.add(ApiTokens.toJson(t)));
      ctx.json(new JsonObject().put("tokens", list));
    });
  }

  void revoke(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    tokens.revoke(WebConsole.user(ctx), id).onComplete(r -> {
      if (r.failed()) {
        ctx.fail(r.cause());
      } else if (!r.result()) {
        ctx.fail(ApiException.notFound("no token " + id));
      } else {
        ctx.response().setStatusCode(204).end();
      }
    });
  }
}
