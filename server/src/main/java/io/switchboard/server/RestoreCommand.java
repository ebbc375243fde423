package io.switchboard.server;

import io.switchboard.core.backup.BackupException;
import io.switchboard.core.backup.BackupManifest;
import io.switchboard.core.backup.BackupRestore;
import io.switchboard.core.config.ConfigException;
import io.switchboard.core.config.ConfigLoader;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.store.MongoStore;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code switchboard restore FILE [--force] [--config FILE]}, with the server stopped: loads a backup
 * archive into the configured store (the embedded one under {@code data.dir}, or {@code mongo.uri}).
 * Exit codes: 0 restored; 1 the store could not be opened or written (a server still running on the
 * same data.dir holds its file); 2 a usage or configuration error; 3 the store is not empty and
 * {@code --force} was not given (nothing changed); 4 the file is not a complete Switchboard backup.
 */
final class RestoreCommand {

  static final int RESTORED = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;
  static final int NOT_EMPTY = 3;
  static final int BAD_ARCHIVE = 4;

  private static final String USAGE_TEXT = "usage: switchboard restore FILE [--force] [--config FILE]";

  private final PrintStream out;
  private final PrintStream err;

  RestoreCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /** @param args what followed {@code restore} on the command line */
  int run(String[] args, Map<String, String> env) {
    boolean force = false;
    List<String> files = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--force" -> force = true;
        case "--config" -> i++; // read by Main.configFile
        default -> {
          if (args[i].startsWith("--config=")) {
            continue;
          }
          if (args[i].startsWith("-")) {
            err.println("switchboard restore: unknown option " + args[i] + "\n" + USAGE_TEXT);
            return USAGE;
          }
          files.add(args[i]);
        }
      }
    }
    if (files.size() != 1) {
      err.println("switchboard restore: " + (files.isEmpty() ? "which archive?" : "one archive at a time") + "\n" + USAGE_TEXT);
      return USAGE;
    }
    Path archive = Path.of(files.get(0));
    if (!Files.isReadable(archive) || Files.isDirectory(archive)) {
      err.println("switchboard restore: cannot read " + archive.toAbsolutePath());
      return USAGE;
    }
    SwitchboardConfig config;
    try {
      config = ConfigLoader.load(Main.configFile(args, env), env);
    } catch (ConfigException e) {
      err.println("switchboard restore: " + e.getMessage());
      return USAGE;
    }
    String target = config.store().mongoUri().isPresent()
        ? "the MongoDB database '" + config.store().database() + "' (mongo.uri)"
        : "the embedded store in " + config.store().dataDir().toAbsolutePath();
    MongoStore store;
    try {
      store = MongoStore.open(config.store());
    } catch (RuntimeException e) {
      err.println("switchboard restore: cannot open " + target + " (is the server still running?): " + e.getMessage());
      return FAILED;
    }
    try (store) {
      out.println("Restoring " + archive.toAbsolutePath() + " into " + target);
      BackupManifest manifest = new BackupRestore(store.database(), out::println).restore(archive, force);
      store.makeDurable();
      out.println("Restored " + manifest.documents() + " documents; start the server as usual.");
      return RESTORED;
    } catch (BackupException e) {
      err.println("switchboard restore: " + e.getMessage());
      return e.kind() == BackupException.Kind.NOT_EMPTY ? NOT_EMPTY : BAD_ARCHIVE;
    } catch (IOException | RuntimeException e) {
      err.println("switchboard restore: failed: " + e);
      return FAILED;
    }
  }
}
