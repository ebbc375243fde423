package io.switchboard.core.backup;

import io.switchboard.core.exec.TaskPool;
import io.switchboard.core.store.MongoStore;
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

  private final MongoStore store;
  private final TaskPool pool;
  private final String version;
  private final Clock clock;

  /**
   * @param pool the {@code store} pool: a backup holds one of its threads while it runs
   * @param version the Switchboard version, for the manifest
   */
  public Backups(MongoStore store, TaskPool pool, String version, Clock clock) {
    this.store = store;
    this.pool = pool;
    this.version = version;
    this.clock = clock;
  }

  /**
   * Writes an archive to {@code out} on the store pool; {@code out} may block (back-pressure from a
   * slow client) and is not closed.
   */
  public Future<BackupManifest> writeTo(OutputStream out) {
    return pool.submit(() -> writer().write(out));
  }

  BackupWriter writer() {
    return new BackupWriter(store.database(), store.embedded() ? "embedded" : "mongodb", version, clock);
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
