package io.switchboard.core.backup;

import java.io.IOException;
import java.io.OutputStream;

/**
 * What a backup reads: the whole store, written as one archive. The core schedules and serves backups
 * through it; the implementation that reads through the MongoDB driver ({@code BackupWriter}) is in uc-store.
 */
@FunctionalInterface
public interface BackupSource {

  /** Blocking: writes the archive to {@code out} (not closed) and returns its manifest. */
  BackupManifest write(OutputStream out) throws IOException;
}
