package io.switchboard.provisioning;

import io.switchboard.api.BusCalls;
import io.switchboard.api.telephony.AmiReloadRequest;
import io.switchboard.api.EventAddresses;
import io.switchboard.core.model.User;
import io.switchboard.core.store.DeviceStore;
import io.switchboard.core.store.UserStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps Asterisk's endpoints in step: after every user or device change, rewrites the PJSIP file
 * ({@link PjsipConfig}) atomically (a temporary file moved over the old one) and asks telephony to
 * reload {@code res_pjsip.so} ({@link EventAddresses#AMI_RELOAD}). Changes that arrive while a
 * write is under way are folded into one more write after it, and a bulk change ({@link #holding}, the
 * CSV import) is written once, after it. In a cluster only the node holding the AMI link writes; a
 * node that takes the link over writes at once.
 */
final class PjsipWriter {

  private static final Logger LOG = LoggerFactory.getLogger(PjsipWriter.class);

  private final Vertx vertx;
  private final DeviceStore devices;
  private final UserStore users;
  private final Path file;
  private final String context;
  private final String voicemail;
  private Future<Void> running;
  private boolean again;
  /** Bulk changes under way ({@link #holding}); while any is, changes only wait for the write after them. */
  private int holds;
  private Promise<Void> afterHold;

  PjsipWriter(Vertx vertx, DeviceStore devices, UserStore users, Path file, String context, String voicemail) {
    this.vertx = vertx;
    this.devices = devices;
    this.users = users;
    this.file = file;
    this.context = context;
    this.voicemail = voicemail;
  }

  /** Call on one context (the service's). Completes when a write that includes this change is done. */
  Future<Void> changed() {
    if (holds > 0) {
      if (afterHold == null) {
        afterHold = Promise.promise();
      }
      return afterHold.future();
    }
    if (running != null) {
      again = true;
      return running;
    }
    Future<Void> f = write().eventually(() -> {
      running = null;
      if (again) {
        again = false;
        return changed();
      }
      return Future.succeededFuture();
    });
    if (!f.isComplete()) {
      running = f; // one done at once (a standby's) has cleared it already
    }
    return f;
  }

  /**
   * Runs {@code work}, a bulk change started on the service's context, with the writes held back until it
   * is done: each write reads and renders every device, so an import of 5,000 phones written once per
   * store batch rendered the whole file dozens of times, growing, while it ran. The changes it made are
   * written once after it, whether it succeeded or was undone.
   */
  <T> Future<T> holding(Supplier<Future<T>> work) {
    holds++;
    Future<T> done;
    try {
      done = work.get();
    } catch (RuntimeException e) {
      done = Future.failedFuture(e);
    }
    // Released from the context's queue: the change events of the work's last store batch, published
    // just before it completed, are delivered first and so still wait for the one write.
    return done.andThen(x -> vertx.runOnContext(v -> release()));
  }

  private void release() {
    if (--holds > 0 || afterHold == null) {
      return;
    }
    Promise<Void> waiting = afterHold;
    afterHold = null;
    changed().onComplete(waiting);
  }

  private Future<Void> write() {
    if (io.switchboard.core.ha.AmiHolding.standby(vertx)) {
      // In a cluster the node holding the AMI link writes the file and reloads (see EventAddresses.AMI_HOLDER).
      LOG.debug("PJSIP file left to the node holding the AMI link [file: {}]", file.toAbsolutePath());
      return Future.succeededFuture();
    }
    return Future.all(devices.list(), users.list()).compose(both -> {
      Map<String, User> byName = new HashMap<>();
      for (User u : both.<java.util.List<User>>resultAt(1)) {
        byName.put(u.username(), u);
      }
      // Rendered on a worker with the write: every device of every user (5,000 after an office's
      // import took about 0.4 s of CPU), which would hold up whatever else shares this event loop.
      return vertx.executeBlocking(() -> {
        String text = PjsipConfig.render(both.resultAt(0), byName, context, voicemail);
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".pjsip", ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return null;
      }, false);
    }).compose(v -> {
      LOG.info("PJSIP file written [file: {}]", file.toAbsolutePath());
      return BusCalls.request(vertx.eventBus(), EventAddresses.AMI_RELOAD, new AmiReloadRequest("res_pjsip.so"))
          .<Void>mapEmpty()
          .recover(e -> {
            LOG.info("Asterisk not reloaded; it reads the file when it next loads PJSIP [reason: {}]", e.getMessage());
            return Future.succeededFuture();
          });
    }).onFailure(e -> LOG.warn("PJSIP file not written [file: {}, reason: {}]", file.toAbsolutePath(), e.getMessage()));
  }
}
