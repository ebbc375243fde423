package io.switchboard.web;

import io.switchboard.core.account.UserAccounts;
import io.switchboard.core.account.UserRequests;

import io.switchboard.core.model.Role;
import io.switchboard.core.model.User;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** {@code /api/users}: administrators manage accounts. Behind {@code authenticated()} and {@code admin()}. */
final class UsersApi {

  private final UserAccounts accounts;

  UsersApi(UserAccounts accounts) {
    this.accounts = accounts;
  }

  void create(RoutingContext ctx) {
    UserRequests.Create request = UserRequests.create(ctx.body().asJsonObject());
    accounts.create(request).onComplete(r -> {
      if (r.failed()) {
        ctx.fail(r.cause());
        return;
      }
      ctx.response().setStatusCode(201).putHeader("Location", "/api/users/" + r.result().username());
      ctx.json(r.result().toJson());
    });
  }

  void list(RoutingContext ctx) {
    accounts.store().list().onComplete(r -> {
      if (r.failed()) {
        ctx.fail(r.cause());
      } else {
        ctx.json(new JsonObject().put("users", WebConsole.array(r.result())));
      }
    });
  }

  void get(RoutingContext ctx) {
    String username = ctx.pathParam("username");
    accounts.store().find(username).onComplete(r -> {
      if (r.failed()) {
        ctx.fail(r.cause());
      } else if (r.result().isEmpty()) {
        ctx.fail(ApiException.notFound("no user " + username));
      } else {
        ctx.json(r.result().get().toJson());
      }
    });
  }

  void patch(RoutingContext ctx) {
    String username = ctx.pathParam("username");
    UserRequests.Patch patch = UserRequests.patch(ctx.body().asJsonObject());
    User self = WebConsole.user(ctx);
    if (self.username().equals(username)
        && (patch.enabled().orElse(true) == false || patch.role().map(r -> r != Role.ADMIN).orElse(false))) {
      ctx.fail(ApiException.conflict(patch.enabled().isPresent() ? "enabled" : "role",
          "you cannot disable or demote your own account"));
      return;
    }
    accounts.update(username, patch).onComplete(r -> {
      if (r.failed()) {
        ctx.fail(r.cause());
      } else {
        ctx.json(r.result().toJson());
      }
    });
  }

  void delete(RoutingContext ctx) {
    String username = ctx.pathParam("username");
    if (WebConsole.user(ctx).username().equals(username)) {
      ctx.fail(ApiException.conflict("username", "you cannot delete your own account"));
      return;
    }
    accounts.delete(username).onComplete(r -> {
      if (r.failed()) {
        ctx.fail(r.cause());
      } else {
        ctx.response().setStatusCode(204).end();
      }
    });
  }
}
