package io.switchboard.core.tls;

import io.switchboard.api.EventAddresses;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Re-reads the certificate files on SIGHUP, or when either file changed (modification time, size or
 * inode, checked on a timer; a change is taken once it has held still for one check, so a cert and
 * key copied one after the other are read together). A good pair becomes the certificate presented,
 * is logged with its subject and expiry and announced on {@link EventAddresses#TLS_RELOADED}; a bad
 * one is logged as an ERROR naming the file, and the old certificate stays.
 */
public final class CertificateWatcher {

  public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(5);

  private static final Logger LOG = LoggerFactory.getLogger(CertificateWatcher.class);
  private static final Signal HUP = new Signal("HUP");
  private static final Duration EXPIRY_WARNING = Duration.ofDays(14);

  private final Vertx vertx;
  private final TlsCredentials credentials;
  private final Duration checkInterval;
  private Context context;
  private long timer = -1;
  private List<Object> tried;
  private List<Object> lastSeen;
  private boolean reloading;
  /** The reason of a reload asked for while another ran (context only), else null. */
  private String reloadAgain;
  private SignalHandler previousHup;

  public CertificateWatcher(Vertx vertx, TlsCredentials credentials, Duration checkInterval) {
    this.vertx = vertx;
    this.credentials = credentials;
    this.checkInterval = checkInterval;
  }

  /**
   * Starts watching the files and, with {@code onSighup}, SIGHUP (one handler per process: only the
   * server's composition root asks for it).
   */
  public Future<Void> start(boolean onSighup) {
    context = vertx.getOrCreateContext();
    return Future.<Void>future(started -> context.runOnContext(v -> vertx.executeBlocking(this::stamps, false)
        .onSuccess(stamps -> {
          tried = stamps;
          lastSeen = stamps;
          timer = vertx.setPeriodic(checkInterval.toMillis(), id -> check());
          if (onSighup) {
            handleSighup();
          }
          LOG.info("TLS certificate [{}, cert: {}, key: {}]", credentials.current().describe(),
              credentials.config().cert().orElseThrow(), credentials.config().key().orElseThrow());
          warnIfExpiring(credentials.current());
        }).<Void>mapEmpty().onComplete(started)));
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    if (previousHup != null) {
      Signal.handle(HUP, previousHup);
      previousHup = null;
    }
  }

  /** Re-reads the files now, as SIGHUP does. True when a new certificate was taken. */
  public Future<Boolean> reloadNow(String why) {
    return Future.future(p -> context.runOnContext(v -> reload(why).onComplete(p)));
  }

  private void handleSighup() {
    try {
      previousHup = Signal.handle(HUP, signal -> context.runOnContext(v -> reload("SIGHUP")));
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      LOG.warn("SIGHUP cannot reload the TLS certificate here ({}); changed files still are", e.getMessage());
    }
  }

  private void check() {
    if (reloading) {
      return;
    }
    vertx.executeBlocking(this::stamps, false).onSuccess(now -> {
      boolean changed = !now.equals(tried);
      boolean settled = now.equals(lastSeen);
      lastSeen = now;
      if (changed && settled) {
        reload("files changed");
      }
    }).onFailure(e -> LOG.warn("cannot check the TLS files: {}", e.getMessage()));
  }

  private Future<Boolean> reload(String why) {
    if (reloading) {
      // A SIGHUP while the timer's reload runs is not lost: one more reload follows, under its own reason.
      reloadAgain = why;
      return Future.succeededFuture(false);
    }
    reloading = true;
    // What is read now is what the timer compares with next: one change, one reload, whoever saw it first.
    return vertx.executeBlocking(this::stamps, false).compose(now -> {
      tried = now;
      lastSeen = now;
      return credentials.reload();
    }).map(material -> {
      LOG.info("TLS certificate reloaded [why: {}, {}]", why, material.describe());
      warnIfExpiring(material);
      vertx.eventBus().publish(EventAddresses.TLS_RELOADED, null);
      return true;
    }).recover(e -> {
      LOG.error("TLS certificate not reloaded, the old one stays [why: {}]: {}", why, e.getMessage());
      return Future.succeededFuture(false);
    }).onComplete(r -> {
      reloading = false;
      String again = reloadAgain;
      reloadAgain = null;
      if (again != null) {
        reload(again);
      }
    });
  }

  /** Phones refuse an expired certificate: say so while there is time to renew. */
  private static void warnIfExpiring(TlsMaterial material) {
    if (material.notAfter().isBefore(java.time.Instant.now().plus(EXPIRY_WARNING))) {
      LOG.warn("TLS certificate expires within {} days: renew it [{}]", EXPIRY_WARNING.toDays(), material.describe());
    }
  }

  /** What identifies each file's content cheaply: modification time, size and inode. */
  private List<Object> stamps() throws IOException {
    List<Object> stamps = new ArrayList<>();
    for (Path file : List.of(credentials.config().cert().orElseThrow(), credentials.config().key().orElseThrow())) {
      try {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        stamps.add(List.of(a.lastModifiedTime(), a.size(), String.valueOf(a.fileKey())));
      } catch (NoSuchFileException e) {
        stamps.add("missing"); // mid-replacement: compared like any other state
      }
    }
    return stamps;
  }
}
