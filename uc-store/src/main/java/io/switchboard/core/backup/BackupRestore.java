package io.switchboard.core.backup;

import com.mongodb.client.MongoDatabase;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.bson.BsonDocument;
import org.bson.Document;

/**
 * Loads an archive written by {@link BackupWriter} into a database, through the MongoDB driver: its
 * indexes first (so that a unique one holds from the first document), then its documents, each
 * collection's count checked against the manifest. Refuses a database that holds any document unless
 * forced, which drops every collection first. Blocking; for a stopped server.
 */
public final class BackupRestore {

  private static final int BATCH = 500;

  private final MongoDatabase database;
  private final Consumer<String> progress;

  /** @param progress one line per step, for the operator */
  public BackupRestore(MongoDatabase database, Consumer<String> progress) {
    this.database = database;
    this.progress = progress;
  }

  /**
   * Reads the manifest and checks the archive as a whole before the store is touched.
   *
   * @throws BackupException BAD_ARCHIVE when it is not a complete archive of a format this version reads
   */
  public static BackupManifest manifestOf(ZipFile zip) throws IOException {
    ZipEntry entry = zip.getEntry(BackupManifest.ENTRY);
    if (entry == null) {
      throw new BackupException(BackupException.Kind.BAD_ARCHIVE, "no " + BackupManifest.ENTRY + ": not a Switchboard backup");
    }
    BackupManifest manifest;
    try (InputStream in = zip.getInputStream(entry)) {
      manifest = BackupManifest.fromJson(new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
    } catch (io.vertx.core.json.DecodeException e) {
      throw new BackupException(BackupException.Kind.BAD_ARCHIVE, "the manifest is not JSON: " + e.getMessage());
    }
    if (manifest.format() != BackupManifest.FORMAT) {
      throw new BackupException(BackupException.Kind.BAD_ARCHIVE, "format " + manifest.format()
          + " (written by Switchboard " + manifest.switchboardVersion() + "); this version reads format " + BackupManifest.FORMAT);
    }
    for (String name : manifest.counts().keySet()) {
      if (zip.getEntry(BackupManifest.entryOf(name)) == null) {
        throw new BackupException(BackupException.Kind.BAD_ARCHIVE, "the manifest lists " + name + " but the archive lacks "
            + BackupManifest.entryOf(name));
      }
    }
    return manifest;
  }

  /** Collections that hold documents now, with their counts. */
  public Map<String, Long> nonEmptyCollections() {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String name : database.listCollectionNames()) {
      if (!name.startsWith("system.")) {
        long n = database.getCollection(name).countDocuments();
        if (n > 0) {
          out.put(name, n);
        }
      }
    }
    return out;
  }

  /**
   * Restores {@code archive}.
   *
   * @param force replace what the database holds (every collection is dropped first)
   * @throws BackupException NOT_EMPTY without force on a database with documents; BAD_ARCHIVE when the
   *     archive is not a complete Switchboard backup (checked before anything is written, but for a
   *     collection whose lines do not parse or count up: then the database is half loaded, say so)
   * @throws IOException when the file cannot be read
   */
  public BackupManifest restore(Path archive, boolean force) throws IOException {
    ZipFile zip;
    try {
      zip = new ZipFile(archive.toFile(), StandardCharsets.UTF_8);
    } catch (ZipException e) {
      throw new BackupException(BackupException.Kind.BAD_ARCHIVE, archive + " is not a complete zip archive (" + e.getMessage() + ")");
    }
    try (zip) {
      BackupManifest manifest = manifestOf(zip);
      progress.accept("Archive of " + manifest.createdAt() + " by Switchboard " + manifest.switchboardVersion() + " ("
          + manifest.store() + " store): " + manifest.documents() + " documents in " + manifest.counts().size() + " collections");
      Map<String, Long> present = nonEmptyCollections();
      if (!present.isEmpty()) {
        if (!force) {
          throw new BackupException(BackupException.Kind.NOT_EMPTY, "the store is not empty (" + describe(present)
              + "); restore into an empty data.dir or database, or add --force to replace what it holds");
        }
        progress.accept("Replacing what the store holds (" + describe(present) + ")");
      }
      if (force) {
        for (String name : database.listCollectionNames()) {
          if (!name.startsWith("system.")) {
            database.getCollection(name).drop();
          }
        }
      }
      for (var collection : manifest.counts().entrySet()) {
        String name = collection.getKey();
        createIndexes(name, manifest.indexes().getOrDefault(name, List.of()));
        long loaded = load(zip, name);
        if (loaded != collection.getValue()) {
          throw new BackupException(BackupException.Kind.BAD_ARCHIVE, name + ": " + loaded + " documents where the manifest says "
              + collection.getValue() + "; the store is half restored, run again with --force after fixing the archive");
        }
        progress.accept("  " + name + ": " + loaded + " documents");
      }
      return manifest;
    }
  }

  private void createIndexes(String name, List<JsonObject> specs) {
    if (!database.listCollectionNames().into(new ArrayList<>()).contains(name)) {
      database.createCollection(name); // an empty collection comes back too
    }
    if (specs.isEmpty()) {
      return;
    }
    List<Document> indexes = new ArrayList<>();
    for (JsonObject spec : specs) {
      indexes.add(Document.parse(spec.encode()));
    }
    database.runCommand(new Document("createIndexes", name).append("indexes", indexes));
  }

  private long load(ZipFile zip, String name) throws IOException {
    var collection = database.getCollection(name, BsonDocument.class);
    List<BsonDocument> batch = new ArrayList<>(BATCH);
    long count = 0;
    long line = 0;
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        zip.getInputStream(zip.getEntry(BackupManifest.entryOf(name))), StandardCharsets.UTF_8))) {
      for (String text = in.readLine(); text != null; text = in.readLine()) {
        line++;
        if (text.isBlank()) {
          continue;
        }
        try {
          batch.add(BsonDocument.parse(text));
        } catch (RuntimeException e) {
          throw new BackupException(BackupException.Kind.BAD_ARCHIVE, BackupManifest.entryOf(name) + " line " + line
              + " is not an Extended JSON document (" + e.getMessage() + ")");
        }
        if (batch.size() == BATCH) {
          collection.insertMany(batch);
          count += batch.size();
          batch.clear();
        }
      }
    }
    if (!batch.isEmpty()) {
      collection.insertMany(batch);
      count += batch.size();
    }
    return count;
  }

  private static String describe(Map<String, Long> counts) {
    StringBuilder b = new StringBuilder();
    counts.forEach((name, n) -> b.append(b.length() == 0 ? "" : ", ").append(name).append(": ").append(n));
    return b.toString();
  }
}
