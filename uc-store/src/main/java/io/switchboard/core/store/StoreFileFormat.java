package io.switchboard.core.store;

import de.bwaldvogel.mongo.bson.Document;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which encoding the embedded store's file holds, and the one-off move from the old one. Both
 * backends use the same map names ({@code databases.<db>.<collection>} for documents, {@code
 * <db>.<collection>._index_<name>} for unique indexes, {@code meta.<db>.<collection>}), and H2 does
 * not record a map's types, so a small map of our own says that the maps hold BSON.
 */
final class StoreFileFormat {

  private static final Logger LOG = LoggerFactory.getLogger(StoreFileFormat.class);

  static final String DATA_PREFIX = "databases.";
  static final String META_PREFIX = "meta.";
  static final String INDEX_INFIX = "._index_";

  /** No dot: a database's drop removes the maps named with its name and a dot. */
  static final String FORMAT_MAP = "switchboard-format";
  private static final String ENCODING = "encoding";
  static final String BSON = "bson-1";

  private StoreFileFormat() {
  }

  /**
   * Blocking, before the file is opened for serving. A file written by mongo-java-server's own backend
   * (Java-serialised maps, no format map) is rewritten once into typed maps of the same names, all in
   * one commit: until that commit the old maps are untouched on disk, so a crash means starting over.
   * The store is held in memory for that commit (automatic commits are off while it runs).
   */
  static void migrateIfNeeded(Path file) {
    if (!Files.exists(file)) {
      return;
    }
    // Compressed like EmbeddedMongo's pages; no automatic commit, not even when unsaved pages pile up.
    MVStore store = new MVStore.Builder().fileName(file.toString()).compress().autoCommitDisabled()
        .autoCommitBufferSize(0).open();
    try {
      if (BSON.equals(encoding(store)) || oldMaps(store).isEmpty()) {
        store.close();
        return;
      }
      long started = System.nanoTime();
      Counts counts = migrate(store);
      store.<String, String>openMap(FORMAT_MAP).put(ENCODING, BSON);
      store.commit();
      store.close();
      LOG.info("Embedded store migrated from Java-serialised maps to BSON [file: {}, collections: {}, documents: {}, "
          + "indexes: {}, index entries: {}, took: {} ms]", file.toAbsolutePath(), counts.collections, counts.documents,
          counts.indexes, counts.indexEntries, (System.nanoTime() - started) / 1_000_000);
    } catch (RuntimeException e) {
      store.closeImmediately(); // no commit: the file keeps its old maps
      throw new StoreException(StoreException.Kind.UNAVAILABLE, null,
          "cannot migrate the embedded store " + file.toAbsolutePath() + " to BSON: " + e, e);
    }
  }

  /**
   * Blocking. Marks a file as BSON when it holds no documents yet; refuses one that still holds
   * Java-serialised maps (reading them as BSON would fail on every document).
   */
  static void requireBson(MVStore store) {
    if (BSON.equals(encoding(store))) {
      return;
    }
    if (!oldMaps(store).isEmpty()) {
      throw new StoreException(StoreException.Kind.UNAVAILABLE, null,
          "the embedded store holds Java-serialised maps that were not migrated: " + oldMaps(store), null);
    }
    store.<String, String>openMap(FORMAT_MAP).put(ENCODING, BSON);
    store.commit();
  }

  private static String encoding(MVStore store) {
    return store.hasMap(FORMAT_MAP) ? store.<String, String>openMap(FORMAT_MAP).get(ENCODING) : null;
  }

  private static List<String> oldMaps(MVStore store) {
    return store.getMapNames().stream().filter(n -> isDocuments(n) || isIndex(n)).sorted().toList();
  }

  private static boolean isDocuments(String mapName) {
    return mapName.startsWith(DATA_PREFIX) && !mapName.contains(INDEX_INFIX);
  }

  static boolean isIndex(String mapName) {
    return mapName.contains(INDEX_INFIX) && !mapName.startsWith(META_PREFIX);
  }

  private static final class Counts {
    int collections;
    long documents;
    int indexes;
    long indexEntries;
  }

  /** Each map read with H2's default (serialising) type and written again, typed, under its own name. */
  private static Counts migrate(MVStore store) {
    Counts counts = new Counts();
    for (String name : new ArrayList<>(store.getMapNames())) {
      if (isDocuments(name)) {
        counts.collections++;
        counts.documents += copy(store, name, BsonH2Backend.collectionMap(), v -> BsonBytesType.encode((Document) v));
      } else if (isIndex(name)) {
        counts.indexes++;
        counts.indexEntries += copy(store, name, BsonH2Backend.indexMap(), v -> v);
      }
    }
    return counts;
  }

  private static <K, V> long copy(MVStore store, String name, MVMap.Builder<K, V> typed, Function<Object, V> value) {
    MVMap<K, Object> old = store.openMap(name);
    MVMap<K, V> copy = store.openMap(name + ".migrating", typed);
    long n = 0;
    for (Map.Entry<K, Object> e : old.entrySet()) {
      copy.put(e.getKey(), value.apply(e.getValue()));
      n++;
    }
    store.removeMap(old);
    store.renameMap(copy, name);
    return n;
  }
}
