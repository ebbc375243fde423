package io.switchboard.core.backup;

import io.switchboard.core.exec.TaskPool;
import io.vertx.core.Future;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/** Backups of the running store: written on the {@code store} pool, to a stream or (scheduled) to files. */
public final class Backups {

  /** {@code switchboard-backup-20261130T031500123Z.zip}: UTC to the millisecond, so names sort by time. */
  static final Pattern FILE_NAME = Pattern.compile("switchboard-backup-[0-9]{8}T[0-9]{9}Z\\.zip");
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);

  private final BackupSource source;
  private final TaskPool pool;
  private final Clock clock;

  /**
   * @param source the store's archive (uc-store's {@code BackupWriter})
   * @param pool the {@code store} pool: a backup holds one of its threads while it runs
   */
  public Backups(BackupSource source, TaskPool pool, Clock clock) {
    this.source = source;
    this.pool = pool;
    this.clock = clock;
  }

  /**
   * Writes an archive to {@code out} on the store pool; {@code out} may block (back-pressure from a
   * slow client) and is not closed.
   */
  public Future<BackupManifest> writeTo(OutputStream out) {
    return pool.submit(() -> writer().write(out));
  }

  BackupSource writer() {
    return source;
  }

  TaskPool pool() {
    return pool;
  }

  /** The file name for an archive written now. */
  public String fileName() {
    return fileName(clock.instant());
  }

  static String fileName(Instant at) {
    return "switchboard-backup-" + STAMP.format(at) + ".zip";
  }
}
