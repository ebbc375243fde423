package io.switchboard.web;

import io.switchboard.api.EventAddresses;
import io.switchboard.api.im.ImFileSend;
import io.switchboard.core.account.UserAccounts;
import io.switchboard.core.files.FileContent;
import io.switchboard.core.files.FileStore;
import io.switchboard.core.files.StoredFile;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.Session;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files in chats: {@code POST /api/messages/files} (multipart: {@code file} and {@code to} or {@code room}) stores
 * the file ({@link FileStore}) and has IM send it as a message ({@link EventAddresses#IM_FILE_SEND}); {@code GET
 * /f/<id>} serves it to the conversation's participants (a session) or to whoever has its link's token, as an
 * attachment unless it is a checked image, never sniffed by the browser.
 */
final class FilesApi {

  private static final Logger LOG = LoggerFactory.getLogger(FilesApi.class);
  static final String UPLOAD_PATH = "/api/messages/files";
  static final String DOWNLOAD_PATH = "/f/:id";
  /** Room for the multipart framing and the other fields around the file itself. */
  static final long MULTIPART_OVERHEAD = 64 * 1024;
  /** Served files: nothing in them runs, whatever a browser makes of them. */
  static final String CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox";

  private final FileStore files;
  private final UserAccounts accounts;
  private final EventBus bus;
  private final long maxFileSize;
  private final String sessionUserKey;

  /** @param files null: file transfer not offered (503) */
  FilesApi(FileStore files, UserAccounts accounts, EventBus bus, long maxFileSize, String sessionUserKey) {
    this.files = files;
    this.accounts = accounts;
    this.bus = bus;
    this.maxFileSize = maxFileSize;
    this.sessionUserKey = sessionUserKey;
  }

  /** Reads the upload to a temporary file, refusing more than the limit (413) as soon as it is passed. */
  BodyHandler bodyHandler(Path uploads) {
    return BodyHandler.create(uploads.toString()).setBodyLimit(maxFileSize + MULTIPART_OVERHEAD)
        .setHandleFileUploads(true).setDeleteUploadedFilesOnEnd(true).setMergeFormAttributes(false);
  }

  /** The upload's 413 names the field and the limit; the connection closes, so the rest is never read. */
  void tooLarge(RoutingContext ctx) {
    if (ctx.statusCode() != 413 || ctx.failure() != null || ctx.response().ended()) {
      ctx.next();
      return;
    }
    LOG.debug("Upload refused, too large [from: {}]", WebConsole.clientAddress(ctx));
    ctx.response().setStatusCode(413).putHeader("Content-Type", "application/json").putHeader("Connection", "close")
        .end(tooLarge().toJson().encode());
  }

  private ApiException tooLarge() {
    return new ApiException(413, "too-large", "file", "file: at most " + maxFileSize + " bytes (im.max-file-size)");
  }

  void upload(RoutingContext ctx) {
    if (files == null) {
      throw new ApiException(503, "unavailable", null, "file transfer is not offered by this server");
    }
    List<FileUpload> uploads = ctx.fileUploads().stream().filter(u -> u.name().equals("file")).toList();
    if (uploads.size() != 1 || ctx.fileUploads().size() != 1) {
      throw ApiException.invalid("file", "required: exactly one file, in the form field 'file'");
    }
    FileUpload upload = uploads.get(0);
    if (upload.size() > maxFileSize) {
      throw tooLarge();
    }
    String to = ctx.request().getFormAttribute("to");
    String room = ctx.request().getFormAttribute("room");
    if ((to == null || to.isBlank()) == (room == null || room.isBlank())) {
      throw ApiException.invalid(to == null || to.isBlank() ? "to" : "room",
          "give either 'to' (a username or an extension) or 'room' (a room's name), not both");
    }
    String target = room != null && !room.isBlank() ? "room-" + room.trim() : to.trim();
    String name = safeName(upload.fileName());
    String owner = WebConsole.user(ctx).username();
    files.save(Path.of(upload.uploadedFileName()), name, upload.contentType(), owner)
        .onFailure(ctx::fail)
        .onSuccess(stored -> BusRequests.forward(ctx, bus, EventAddresses.IM_FILE_SEND,
            new ImFileSend(BusRequests.caller(ctx), target, stored.id()), 201));
  }

  /**
   * A file's name as it may be shown and sent: the last path segment, without control characters, at most 200
   * characters; "file" when nothing is left.
   */
  static String safeName(String given) {
    String name = given == null ? "" : given.replaceAll(".*[/\\\\]", "").replaceAll("[\\p{Cntrl}\"]", "").strip();
    if (name.codePointCount(0, name.length()) > 200) {
      name = name.substring(0, name.offsetByCodePoints(0, 200));
    }
    return name.isEmpty() || name.equals(".") || name.equals("..") ? "file" : name;
  }

  /** {@code GET /f/<id>[?t=<token>]}: participants with a session, or the token; anyone else 403 (404: no such file). */
  void download(RoutingContext ctx) {
    if (files == null) {
      ctx.response().setStatusCode(404).end();
      return;
    }
    String id = ctx.pathParam("id");
    String token = ctx.request().getParam("t");
    files.find(id).compose(found -> {
      if (found.isEmpty()) {
        return Future.succeededFuture(404);
      }
      StoredFile f = found.get();
      if (token != null && f.token() != null && MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
          f.token().getBytes(StandardCharsets.UTF_8))) {
        return serve(ctx, f);
      }
      Session session = ctx.session();
      String username = session == null ? null : session.get(sessionUserKey);
      if (username == null || !f.participants().contains(username)) {
        return Future.succeededFuture(403);
      }
      // The session's account must still be there and enabled, as for the API.
      return accounts.store().find(username).compose(user -> user.isPresent() && user.get().enabled()
          ? serve(ctx, f) : Future.succeededFuture(403));
    }).onComplete(r -> {
      if (ctx.response().ended() || r.succeeded() && r.result() == 200) {
        return; // served, or being sent chunk by chunk
      }
      int status = r.succeeded() ? r.result() : 500;
      if (r.failed()) {
        LOG.warn("File not served [id: {}]: {}", id, r.cause().getMessage());
      } else if (status == 403) {
        LOG.debug("File refused [id: {}, from: {}]", id, WebConsole.clientAddress(ctx));
      }
      ctx.response().setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8")
          .end(status == 404 ? "no such file\n" : status == 403 ? "not yours to fetch\n" : "try again later\n");
    });
  }

  /**
   * Sends the file chunk by chunk as the browser takes it (the next chunk is read once the response's queue has
   * room), so that no download holds a whole file in memory. Once the headers are out, a failure half way can
   * only cut the connection, so that the browser sees an incomplete download rather than a short file.
   */
  private Future<Integer> serve(RoutingContext ctx, StoredFile f) {
    return files.open(f.id()).map(content -> {
      HttpServerResponse response = ctx.response();
      String encoded = URLEncoder.encode(f.name(), StandardCharsets.UTF_8).replace("+", "%20");
      String ascii = f.name().replaceAll("[^\\x20-\\x7e]|[\\\\\"]", "_");
      response.headers()
          .set("Content-Type", f.type())
          .set("Content-Length", Long.toString(f.size()))
          .set("Content-Disposition", (f.inline() ? "inline" : "attachment") + "; filename=\"" + ascii
              + "\"; filename*=UTF-8''" + encoded)
          .set("X-Content-Type-Options", "nosniff")
          .set("Content-Security-Policy", CSP)
          .set("Referrer-Policy", "no-referrer")
          .set("Cache-Control", "private, no-store");
      response.closeHandler(v -> content.close());
      sendChunks(response, content, f.id());
      return 200;
    });
  }

  private void sendChunks(HttpServerResponse response, FileContent content, String id) {
    content.next().onComplete(read -> {
      if (response.closed()) {
        content.close();
      } else if (read.failed()) {
        LOG.warn("File download cut short [id: {}]: {}", id, read.cause().getMessage());
        content.close();
        response.reset();
      } else if (read.result().length() == 0) {
        content.close();
        response.end();
      } else {
        response.write(read.result());
        if (response.writeQueueFull()) {
          response.drainHandler(v -> sendChunks(response, content, id));
        } else {
          sendChunks(response, content, id);
        }
      }
    });
  }
}
