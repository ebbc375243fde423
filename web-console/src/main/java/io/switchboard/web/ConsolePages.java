package io.switchboard.web;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The browser UI: static files from the jar ({@code webroot/}: one HTML page, ES modules, one style
 * sheet; no build step). Every page is served with a Content-Security-Policy that allows scripts
 * from this server only, so text that slipped into the page as HTML still could not run.
 */
final class ConsolePages {

  static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  private ConsolePages() {
  }

  static void mount(Router router) {
    router.route().method(HttpMethod.GET).method(HttpMethod.HEAD).handler(ctx -> {
      ctx.response().headers()
          .set("Content-Security-Policy", CSP)
          .set("X-Content-Type-Options", "nosniff")
          .set("Referrer-Policy", "no-referrer")
          .set("Cache-Control", "no-cache");
      ctx.next();
    });
    router.route().method(HttpMethod.GET).method(HttpMethod.HEAD).handler(StaticHandler.create("webroot")
        .setCachingEnabled(false)
        .setDirectoryListing(false)
        .setIndexPage("index.html"));
  }
}
