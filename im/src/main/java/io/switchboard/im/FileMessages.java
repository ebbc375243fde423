package io.switchboard.im;

import io.switchboard.api.BusConsumers;
import io.switchboard.api.BusFailure;
import io.switchboard.api.EventAddresses;
import io.switchboard.api.ImMessage;
import io.switchboard.api.im.FileRef;
import io.switchboard.api.im.ImFileSend;
import io.switchboard.core.files.FileStore;
import io.switchboard.core.files.FileTypes;
import io.switchboard.core.files.StoredFile;
import io.switchboard.core.model.User;
import io.switchboard.core.store.StoreException;
import io.switchboard.core.store.UserStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files sent in chats, on IM's side: a file the console stored becomes a message on the normal path
 * ({@link MessageRouter}), whose text names the file and carries its link with the file's token
 * ({@code Alice sent report.pdf (1.2 MB): https://…/f/<id>?t=<token>}), so that every phone can show it;
 * files go when their messages do ({@link #expired}) and when their uploader is deleted.
 */
final class FileMessages {

  private static final Logger LOG = LoggerFactory.getLogger(FileMessages.class);
  /** Files looked at per sweep; the next sweep takes the rest. */
  static final int SWEEP_BATCH = 500;

  private final Vertx vertx;
  private final UserStore users;
  private final RoomStore rooms;
  private final MessageRouter router;
  private final MessageStore messages;
  private final FileStore files;
  private final String baseUrl;
  private final Clock clock;
  private final Duration fileMaxAge;
  private final Duration storeMaxAge;
  private final BusConsumers consumers;
  private long sweepTimer = -1;

  /** @param baseUrl the console's public address (web.public-url): links are {@code <baseUrl>f/<id>?t=<token>} */
  FileMessages(Vertx vertx, UserStore users, RoomStore rooms, MessageRouter router, MessageStore messages, FileStore files,
      String baseUrl, Clock clock, Duration fileMaxAge, Duration storeMaxAge) {
    this.vertx = vertx;
    this.users = users;
    this.rooms = rooms;
    this.router = router;
    this.messages = messages;
    this.files = files;
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl : baseUrl + "/";
    this.clock = clock;
    this.fileMaxAge = fileMaxAge;
    this.storeMaxAge = storeMaxAge;
    this.consumers = new BusConsumers(vertx);
  }

  Future<Void> start() {
    // Hourly, or more often when a file lives less than four hours; every node sweeps, deleting twice is harmless.
    long every = Math.max(1000, Math.min(Duration.ofHours(1).toMillis(), fileMaxAge.toMillis() / 4));
    sweepTimer = vertx.setPeriodic(every, id -> sweep());
    return consumers.answer(EventAddresses.IM_FILE_SEND, ImFileSend::fromJson, this::send, ImBusApi::translate)
        .compose(v -> consumers.<JsonObject>consumer(EventAddresses.USER_CHANGED, msg -> {
          if ("DELETED".equals(msg.body().getString("change"))) {
            String username = msg.body().getString("username");
            files.deleteOwnedBy(username).onFailure(e -> LOG.warn("Files of a deleted user not removed [user: {}]: {}",
                username, e.getMessage()));
          }
        }));
  }

  Future<Void> stop() {
    vertx.cancelTimer(sweepTimer);
    return consumers.unregisterAll();
  }

  /** The link phones get: the console's address, the file's id and its token. */
  String link(StoredFile f) {
    return baseUrl + "f/" + f.id() + "?t=" + f.token();
  }

  /** "Alice sent report.pdf (1.2 MB): https://…" */
  static String text(String sender, StoredFile f, String link) {
    return sender + " sent " + f.name() + " (" + FileTypes.humanSize(f.size()) + "): " + link;
  }

  private Future<ImMessage> send(ImFileSend request) {
    String from = request.from().username();
    String to = request.to() == null ? "" : request.to().trim();
    return files.find(request.fileId()).compose(found -> {
      if (found.isEmpty() || !from.equals(found.get().owner()) || found.get().conversation() != null) {
        return Future.failedFuture(BusFailure.notFound("file", "no unsent file " + request.fileId() + " of yours"));
      }
      StoredFile file = found.get();
      return users.find(from).compose(sender -> sender.isEmpty()
              ? Future.failedFuture(StoreException.notFound("no sender " + from))
              : sendAs(sender.get(), to, file))
          // A file that went nowhere is not kept.
          .onFailure(e -> files.delete(file.id()));
    });
  }

  private Future<ImMessage> sendAs(User sender, String to, StoredFile file) {
    return recipients(sender.username(), to).compose(shared -> files.share(file.id(), shared.conversation(), shared.participants())
        .compose(v -> {
          String link = link(file);
          String text = text(MessageRouter.displayName(sender), file, link);
          FileRef ref = new FileRef(file.id(), file.name(), file.size(), file.type(), link);
          LOG.debug("File sent [id: {}, from: {}, to: {}, size: {}]", file.id(), sender.username(), to, file.size());
          return router.route(sender, to, "text/plain;charset=UTF-8", text.getBytes(StandardCharsets.UTF_8), text, ref);
        })).compose(outcome -> {
          if (outcome instanceof MessageRouter.Delivered d) {
            return Future.succeededFuture(d.message().toBus());
          } else if (outcome instanceof MessageRouter.Stored s) {
            return Future.succeededFuture(s.message().toBus());
          } else if (outcome instanceof MessageRouter.NotAMember) {
            return Future.failedFuture(BusFailure.forbidden("room", "you are not a member of " + to));
          }
          return Future.failedFuture(BusFailure.notFound("to", "no user " + to));
        });
  }

  /** Who may fetch the file: the two people, or the room's members as they are now. */
  private record Shared(String conversation, List<String> participants) {
  }

  private Future<Shared> recipients(String from, String to) {
    if (to.startsWith(Room.ADDRESS_PREFIX)) {
      String name = to.substring(Room.ADDRESS_PREFIX.length());
      return rooms.find(name).compose(room -> {
        if (room.isEmpty()) {
          return Future.failedFuture(BusFailure.notFound("room", "no room " + name));
        }
        if (!room.get().members().contains(from)) {
          return Future.failedFuture(BusFailure.forbidden("room", "you are not a member of " + name));
        }
        return Future.succeededFuture(new Shared("room:" + name, room.get().members()));
      });
    }
    return users.findByUsernameOrExtension(to).compose(peer -> peer.isEmpty() || !peer.get().enabled()
        ? Future.failedFuture(BusFailure.notFound("to", "no user " + to))
        : Future.succeededFuture(new Shared(StoredMessage.conversationOf(from, peer.get().username()),
            List.of(from, peer.get().username()))));
  }

  /** Deletes the files whose time is up; returns how many. Any context. */
  Future<Integer> sweep() {
    Instant now = clock.instant();
    Duration shorter = fileMaxAge.compareTo(storeMaxAge) < 0 ? fileMaxAge : storeMaxAge;
    return files.createdBefore(now.minus(shorter), SWEEP_BATCH).compose(old -> {
      List<Future<Boolean>> each = old.stream().map(f -> (f.conversation() == null
          ? Future.succeededFuture(List.<StoredMessage>of()) : messages.withFile(f.conversation(), f.id()))
          .compose(copies -> expired(f, copies, now) ? files.delete(f.id()).map(true) : Future.succeededFuture(false)))
          .toList();
      return Future.join(each).map(all -> (int) each.stream().filter(f -> f.succeeded() && f.result()).count());
    }).onSuccess(n -> {
      if (n > 0) {
        LOG.info("Files expired [files: {}]", n);
      }
    }).onFailure(e -> LOG.warn("File sweep failed: {}", e.getMessage()));
  }

  /**
   * Whether a file's time is up, from its messages' copies (a room's sender's own copy aside): never while a
   * copy waits for its recipient (stored; it expires at {@code im.store-max-age}, and the file after it);
   * {@code im.file-max-age} after it was sent once a copy was delivered; at once when no copy waits and none
   * was delivered (all expired, or deleted, or it was never sent). Pure.
   */
  boolean expired(StoredFile f, List<StoredMessage> copies, Instant now) {
    List<MessageState> states = copies.stream().filter(m -> !(m.room() != null && m.to().equals(m.from())))
        .map(StoredMessage::state).toList();
    if (states.contains(MessageState.STORED) || states.contains(MessageState.PENDING)) {
      return false;
    }
    if (states.contains(MessageState.DELIVERED)) {
      return !f.createdAt().plus(fileMaxAge).isAfter(now);
    }
    return true;
  }
}
