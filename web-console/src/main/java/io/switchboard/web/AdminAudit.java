package io.switchboard.web;

import io.switchboard.api.SecurityEvent;
import io.switchboard.core.model.User;
import io.switchboard.core.security.SecurityLog;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reports every administrator's change (users, devices, CSV import, log levels) that succeeded as an
 * {@link SecurityEvent.Kind#ADMIN_CHANGE}: who (the admin), what (the target, the names of the fields
 * changed, never their values) and from where (the client address).
 */
final class AdminAudit {

  private static final Pattern USER = Pattern.compile("/api/users/([^/]+)");
  private static final Pattern USER_DEVICES = Pattern.compile("/api/users/([^/]+)/devices");
  private static final Pattern DEVICE = Pattern.compile("/api/devices/([^/]+)");

  private final SecurityLog security;

  AdminAudit(SecurityLog security) {
    this.security = security;
  }

  /** Route handler: watches state-changing requests and reports them once answered with 2xx. */
  void watch(RoutingContext ctx) {
    HttpMethod m = ctx.request().method();
    if (m == HttpMethod.POST || m == HttpMethod.PATCH || m == HttpMethod.PUT || m == HttpMethod.DELETE) {
      ctx.addEndHandler(done -> {
        int status = ctx.response().getStatusCode();
        User admin = WebConsole.user(ctx);
        String what = admin == null || status < 200 || status >= 300 ? null : describe(ctx);
        if (what != null) {
          security.record(SecurityEvent.Kind.ADMIN_CHANGE, admin.username(), WebConsole.clientAddress(ctx), what);
        }
      });
    }
    ctx.next();
  }

  /** What the request changed, in words; null for a request that is no admin change. */
  static String describe(RoutingContext ctx) {
    HttpMethod m = ctx.request().method();
    String path = ctx.request().path();
    Matcher user = USER.matcher(path);
    Matcher userDevices = USER_DEVICES.matcher(path);
    Matcher device = DEVICE.matcher(path);
    if (path.equals("/api/users") && m == HttpMethod.POST) {
      return "created user " + field(ctx, "username");
    } else if (path.equals("/api/import") && m == HttpMethod.POST) {
      return "imported a CSV file (" + ctx.body().length() + " bytes)";
    } else if (path.startsWith("/api/users/") && path.endsWith("/password-link") && m == HttpMethod.POST) {
      return "issued a set-password link for user " + path.substring("/api/users/".length(), path.lastIndexOf('/'));
    } else if (userDevices.matches() && m == HttpMethod.POST) {
      String location = ctx.response().headers().get("Location");
      return "added device " + (location == null ? "?" : location.substring(location.lastIndexOf('/') + 1))
          + " for user " + userDevices.group(1);
    } else if (user.matches() && m == HttpMethod.PATCH) {
      return "changed user " + user.group(1) + ": " + fieldNames(ctx);
    } else if (user.matches() && m == HttpMethod.DELETE) {
      return "deleted user " + user.group(1);
    } else if (device.matches() && m == HttpMethod.PATCH) {
      return "changed device " + device.group(1) + ": " + fieldNames(ctx);
    } else if (device.matches() && m == HttpMethod.DELETE) {
      return "deleted device " + device.group(1);
    } else if (path.equals(LogLevelsApi.PATH) && m == HttpMethod.PUT) {
      JsonObject body = body(ctx);
      return body == null ? null : "set log level of " + body.getValue("logger") + " to "
          + (body.getValue("level") == null ? "inherited" : String.valueOf(body.getValue("level")).toUpperCase(java.util.Locale.ROOT));
    }
    return null;
  }

  private static JsonObject body(RoutingContext ctx) {
    try {
      return ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String field(RoutingContext ctx, String name) {
    JsonObject body = body(ctx);
    return body == null ? "?" : String.valueOf(body.getValue(name));
  }

  /** The names of the fields sent: never their values (passwords, secrets). */
  private static String fieldNames(RoutingContext ctx) {
    JsonObject body = body(ctx);
    return body == null || body.isEmpty() ? "nothing" : String.join(", ", new java.util.TreeSet<>(body.fieldNames()));
  }
}
