package io.switchboard.core.backup;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Sorts;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.bson.BsonDocument;
import org.bson.Document;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;

/**
 * Writes every collection of a database, through the MongoDB driver, as a zip archive: one file of
 * canonical Extended JSON lines per collection (types kept: dates, longs, binaries), then the
 * {@link BackupManifest}. Blocking, and streaming: documents go out as the cursor yields them.
 *
 * <p>Consistency: collections are read one after the other, each in one query sorted by {@code _id};
 * the embedded store answers such a query from one pass over the collection under its lock, a real
 * MongoDB from an {@code _id} index scan (no document twice). So what was acknowledged before the
 * backup began is in it; a write made during the backup may or may not be, but a document is never
 * half in it. It is not one snapshot across collections.
 */
public final class BackupWriter implements BackupSource {

  static final JsonWriterSettings CANONICAL = JsonWriterSettings.builder().outputMode(JsonMode.EXTENDED).build();
  private static final int BATCH = 500;

  private final MongoDatabase database;
  private final String store;
  private final String version;
  private final Clock clock;

  /**
   * @param store {@code embedded} or {@code mongodb}, for the manifest
   * @param version the Switchboard version that writes it
   */
  public BackupWriter(MongoDatabase database, String store, String version, Clock clock) {
    this.database = database;
    this.store = store;
    this.version = version;
    this.clock = clock;
  }

  /** The running store's archive, its kind ({@code embedded} or {@code mongodb}) in the manifest. */
  public static BackupWriter of(io.switchboard.core.store.MongoStore store, String version, Clock clock) {
    return new BackupWriter(store.database(), store.embedded() ? "embedded" : "mongodb", version, clock);
  }

  /** Blocking: writes the archive to {@code out} (not closed) and returns its manifest. */
  @Override
  public BackupManifest write(OutputStream out) throws IOException {
    var createdAt = clock.instant();
    List<String> names = new ArrayList<>();
    database.listCollectionNames().into(names);
    names.removeIf(n -> n.startsWith("system."));
    names.sort(null);
    Map<String, Long> counts = new LinkedHashMap<>();
    Map<String, List<JsonObject>> indexes = new LinkedHashMap<>();
    ZipOutputStream zip = new ZipOutputStream(out, StandardCharsets.UTF_8);
    zip.setLevel(Deflater.BEST_SPEED); // text of JSON shrinks well even so; the CPU is shared with SIP
    Writer text = new java.io.OutputStreamWriter(zip, StandardCharsets.UTF_8);
    for (String name : names) {
      MongoCollection<BsonDocument> collection = database.getCollection(name, BsonDocument.class);
      indexes.put(name, indexesOf(collection));
      zip.putNextEntry(new ZipEntry(BackupManifest.entryOf(name)));
      long count = 0;
      try (MongoCursor<BsonDocument> cursor = collection.find().sort(Sorts.ascending("_id")).batchSize(BATCH).iterator()) {
        while (cursor.hasNext()) {
          text.write(cursor.next().toJson(CANONICAL));
          text.write('\n');
          count++;
        }
      }
      text.flush();
      zip.closeEntry();
      counts.put(name, count);
    }
    BackupManifest manifest = new BackupManifest(BackupManifest.FORMAT, createdAt, version, store, database.getName(),
        counts, indexes);
    zip.putNextEntry(new ZipEntry(BackupManifest.ENTRY));
    text.write(manifest.toJson().encodePrettily());
    text.flush();
    zip.closeEntry();
    zip.finish();
    zip.flush();
    return manifest;
  }

  /** Secondary indexes as a {@code createIndexes} command takes them back: key, name and options. */
  private static List<JsonObject> indexesOf(MongoCollection<BsonDocument> collection) {
    List<JsonObject> out = new ArrayList<>();
    for (Document index : collection.listIndexes()) {
      if ("_id_".equals(index.getString("name"))) {
        continue;
      }
      Document spec = new Document();
      for (String field : List.of("key", "name", "unique", "sparse", "expireAfterSeconds", "partialFilterExpression")) {
        if (index.containsKey(field)) {
          spec.put(field, index.get(field));
        }
      }
      out.add(new JsonObject(spec.toJson(CANONICAL)));
    }
    return out;
  }
}
