package io.switchboard.web;

import io.switchboard.core.account.UserAccounts;
import io.switchboard.core.account.UserRequests;

import io.switchboard.core.model.Role;
import io.switchboard.core.model.User;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** {@code /api/users}: administrators manage accounts. Behind {@code authenticated()} and {@code admin()}. */
final class UsersApi {

  private final UserAccounts accounts;
  private final EmailSettingsApi email;

  UsersApi(UserAccounts accounts, EmailSettingsApi email) {
    this.accounts = accounts;
    this.email = email;
  }

  void create(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    JsonObject emailChange = EmailSettingsApi.takeFrom(body == null ? null : body.copy());
    if (body != null) {
      EmailSettingsApi.FIELDS.forEach(body::remove);
    }
    UserRequests.Create request = UserRequests.create(body);
    accounts.create(request).compose(user -> email.change(user, emailChange)).onComplete(r -> {
      if (r.failed()) {
        ctx.fail(r.cause());
        return;
      }
      ctx.response().setStatusCode(201).putHeader("Location", "/api/users/" + r.result().getString("username"));
      ctx.json(r.result());
    });
  }

  void list(RoutingContext ctx) {
    accounts.store().list().compose(users -> email.all().map(settings -> {
      JsonArray out = new JsonArray();
      users.forEach(u -> out.add(u.toJson().mergeIn(settings.getJsonObject(u.username(), NO_EMAIL))));
      return out;
    })).onComplete(r -> {
      if (r.failed()) {
        ctx.fail(r.cause());
      } else {
        ctx.json(new JsonObject().put("users", r.result()));
      }
    });
  }

  /** What a user who never gave an address shows. */
  private static final JsonObject NO_EMAIL = new JsonObject().putNull("email").put("notifyMissed", false);

  void get(RoutingContext ctx) {
    String username = ctx.pathParam("username");
    accounts.store().find(username).onComplete(r -> {
      if (r.failed()) {
        ctx.fail(r.cause());
      } else if (r.result().isEmpty()) {
        ctx.fail(ApiException.notFound("no user " + username));
      } else {
        email.withSettings(r.result().get()).onSuccess(ctx::json).onFailure(ctx::fail);
      }
    });
  }

  void patch(RoutingContext ctx) {
    String username = ctx.pathParam("username");
    JsonObject body = ctx.body().asJsonObject() == null ? new JsonObject() : ctx.body().asJsonObject().copy();
    JsonObject emailChange = EmailSettingsApi.takeFrom(body);
    if (body.isEmpty() && !emailChange.isEmpty()) {
      // Only the e-mail settings: the account itself is unchanged.
      accounts.store().find(username).compose(found -> found.isEmpty()
          ? Future.<JsonObject>failedFuture(ApiException.notFound("no user " + username))
          : email.change(found.get(), emailChange)).onComplete(r -> {
            if (r.failed()) {
              ctx.fail(r.cause());
            } else {
              ctx.json(r.result());
            }
          });
      return;
    }
    UserRequests.Patch patch = UserRequests.patch(body);
    User self = WebConsole.user(ctx);
    if (self.username().equals(username)
        && (patch.enabled().orElse(true) == false || patch.role().map(r -> r != Role.ADMIN).orElse(false))) {
      ctx.fail(ApiException.conflict(patch.enabled().isPresent() ? "enabled" : "role",
          "you cannot disable or demote your own account"));
      return;
    }
    accounts.update(username, patch).compose(user -> email.change(user, emailChange)).onComplete(r -> {
      if (r.failed()) {
        ctx.fail(r.cause());
      } else {
        ctx.json(r.result());
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
