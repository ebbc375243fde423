package io.switchboard.web;

import io.switchboard.core.backup.Backups;
import io.switchboard.api.SecurityEvent;
import io.switchboard.core.security.SecurityLog;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/backup} (administrators): the whole store as a zip archive, streamed while it is
 * read on the store pool. Once the first bytes are out a failure can no longer become a JSON error:
 * the connection is reset instead, and the archive, lacking its manifest and zip directory, is
 * refused by the restore.
 */
final class BackupApi {

  private static final Logger LOG = LoggerFactory.getLogger(BackupApi.class);

  private final Backups backups;
  private final SecurityLog security;

  BackupApi(Backups backups, SecurityLog security) {
    this.backups = backups;
    this.security = security;
  }

  void download(RoutingContext ctx) {
    String admin = WebConsole.user(ctx).username();
    String from = WebConsole.clientAddress(ctx);
    String name = backups.fileName();
    HttpServerResponse response = ctx.response();
    response.setChunked(true)
        .putHeader("Content-Type", "application/octet-stream") // a zip; the filename says so (the OpenAPI validator knows no application/zip)
        .putHeader("Content-Disposition", "attachment; filename=\"" + name + "\"")
        .putHeader("Cache-Control", "no-store");
    ResponseOutputStream out = new ResponseOutputStream(ctx.vertx().getOrCreateContext(), response);
    // It holds every password and SIP digest hash: who took one is a security event.
    security.record(SecurityEvent.Kind.ADMIN_CHANGE, admin, from, "took a backup of the store (" + name + ")");
    backups.writeTo(out).onComplete(done -> {
      if (done.succeeded()) {
        // Every chunk was queued on this context before now, so end() follows the last of them.
        response.end();
        LOG.info("Backup streamed [user: {}, from: {}, documents: {}]", admin, from, done.result().documents());
      } else if (!response.headWritten()) {
        response.headers().remove("Content-Disposition"); // an error, as JSON, is no attachment
        ctx.fail(done.cause());
      } else {
        LOG.warn("Backup stream broken off [user: {}, from: {}]: {}", admin, from, done.cause().toString());
        response.reset();
      }
    });
  }
}
