package io.switchboard.core.backup;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The archive's {@code manifest.json}: the format, when and by which Switchboard it was written, from
 * which store, and per collection its document count and secondary indexes. Written last, so that an
 * archive cut short has none (and no zip directory either) and is refused whole.
 *
 * @param counts documents per collection, in the order they were read
 * @param indexes per collection, its index specifications as {@code listIndexes} gave them (without {@code _id_})
 */
public record BackupManifest(int format, Instant createdAt, String switchboardVersion, String store, String database,
    Map<String, Long> counts, Map<String, List<JsonObject>> indexes) {

  /** The one format this code writes and reads. */
  public static final int FORMAT = 1;
  static final String ENTRY = "manifest.json";

  /** Where a collection's documents are in the archive: one canonical Extended JSON document per line. */
  static String entryOf(String collection) {
    return "collections/" + collection + ".jsonl";
  }

  public long documents() {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  JsonObject toJson() {
    JsonObject c = new JsonObject();
    counts.forEach(c::put);
    JsonObject i = new JsonObject();
    indexes.forEach((name, specs) -> i.put(name, new JsonArray(List.copyOf(specs))));
    return new JsonObject().put("format", format).put("createdAt", createdAt.toString())
        .put("switchboardVersion", switchboardVersion).put("store", store).put("database", database)
        .put("counts", c).put("indexes", i);
  }

  /** @throws BackupException (bad archive) when a field is missing or of the wrong type */
  static BackupManifest fromJson(JsonObject json) {
    try {
      Map<String, Long> counts = new LinkedHashMap<>();
      json.getJsonObject("counts").forEach(e -> counts.put(e.getKey(), ((Number) e.getValue()).longValue()));
      Map<String, List<JsonObject>> indexes = new LinkedHashMap<>();
      JsonObject i = json.getJsonObject("indexes", new JsonObject());
      for (String name : i.fieldNames()) {
        indexes.put(name, i.getJsonArray(name).stream().map(o -> (JsonObject) o).toList());
      }
      return new BackupManifest(json.getInteger("format"), Instant.parse(json.getString("createdAt")),
          json.getString("switchboardVersion"), json.getString("store"), json.getString("database"), counts, indexes);
    } catch (RuntimeException e) {
      throw new BackupException(BackupException.Kind.BAD_ARCHIVE, "the manifest does not parse: " + e);
    }
  }
}
