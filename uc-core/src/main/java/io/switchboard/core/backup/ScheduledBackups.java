package io.switchboard.core.backup;

import io.switchboard.core.config.SwitchboardConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every {@code backup.interval} writes an archive into {@code backup.dir}: into a hidden temporary
 * file, synced, then renamed in one step, so that a file with the final name is always complete;
 * then removes the oldest archives beyond {@code backup.keep} (only files named as this class names
 * them). One backup at a time: a tick that finds one still running is skipped.
 */
public final class ScheduledBackups {

  private static final Logger LOG = LoggerFactory.getLogger(ScheduledBackups.class);
  private static final String PARTIAL = ".partial";

  private final Vertx vertx;
  private final Backups backups;
  private final SwitchboardConfig.Backup config;
  private long timer = -1;
  private Future<Void> running = Future.succeededFuture();

  public ScheduledBackups(Vertx vertx, Backups backups, SwitchboardConfig.Backup config) {
    this.vertx = vertx;
    this.backups = backups;
    this.config = config;
  }

  /**
   * Blocking, at start-up: creates the directory.
   *
   * @throws io.switchboard.core.config.ConfigException naming backup.dir when it cannot be created or written
   */
  public void prepare() {
    Path dir = config.dir().orElseThrow();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new io.switchboard.core.config.ConfigException("backup.dir", "cannot create " + dir.toAbsolutePath() + ": " + e);
    }
    if (!Files.isWritable(dir)) {
      throw new io.switchboard.core.config.ConfigException("backup.dir", dir.toAbsolutePath() + " is not writable");
    }
  }

  /** Starts the timer: the first backup one interval from now. */
  public void start() {
    Path dir = config.dir().orElseThrow();
    timer = vertx.setPeriodic(config.intervalSeconds() * 1000, id -> tick());
    LOG.info("Scheduled backups [dir: {}, every: {} s, keep: {}]", dir.toAbsolutePath(), config.intervalSeconds(), config.keep());
  }

  private void tick() {
    if (!running.isComplete()) {
      LOG.warn("Scheduled backup skipped: the previous one is still running");
      return;
    }
    running = backupNow().<Void>mapEmpty().recover(e -> Future.succeededFuture());
  }

  /** Writes one archive now; completes with its path. */
  public Future<Path> backupNow() {
    Path dir = config.dir().orElseThrow();
    String name = backups.fileName();
    return backups.pool().submit(() -> {
      removeStalePartials(dir);
      Path partial = dir.resolve("." + name + PARTIAL);
      Path target = dir.resolve(name);
      long started = System.nanoTime();
      BackupManifest manifest;
      try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
          OutputStream out = new java.io.BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024)) {
        manifest = backups.writer().write(out);
        out.flush();
        channel.force(true); // on the disk before it gets its final name
      } catch (IOException | RuntimeException e) {
        Files.deleteIfExists(partial);
        throw e;
      }
      Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
      LOG.info("Backup written [file: {}, documents: {}, bytes: {}, took: {} ms]", target.toAbsolutePath(),
          manifest.documents(), Files.size(target), (System.nanoTime() - started) / 1_000_000);
      prune(dir);
      return target;
    }).onFailure(e -> LOG.error("Scheduled backup failed [dir: {}]: {}", dir.toAbsolutePath(), e.toString()));
  }

  /** Only one backup runs at a time (see tick), so a temporary file found before one starts is a crash's leftover. */
  private static void removeStalePartials(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".zip" + PARTIAL)).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private void prune(Path dir) throws IOException {
    List<Path> archives;
    try (Stream<Path> files = Files.list(dir)) {
      archives = new ArrayList<>(files.filter(f -> Backups.FILE_NAME.matcher(f.getFileName().toString()).matches())
          .sorted().toList());
    }
    for (int i = 0; i < archives.size() - config.keep(); i++) {
      Files.deleteIfExists(archives.get(i));
      LOG.info("Old backup removed [file: {}]", archives.get(i).toAbsolutePath());
    }
  }

  /** Stops the timer; completes when a backup that is running has ended. */
  public Future<Void> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    return running;
  }
}
