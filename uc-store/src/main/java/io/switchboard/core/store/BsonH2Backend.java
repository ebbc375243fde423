package io.switchboard.core.store;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.oplog.Oplog;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * mongo-java-server's H2 backend with typed maps: documents as BSON, keys as BSON values compared
 * by {@link KeyOrder}. The plain backend opens its maps with H2's default type, which Java-serialises
 * every document, {@code _id} and index key, and compares index keys by serialising them. Same map
 * names and layout as the plain backend (its {@code meta.} maps stay on the default type); a file the
 * plain backend wrote is converted once by {@link StoreFileFormat} before it is opened here.
 */
class BsonH2Backend extends H2Backend {

  /** Where every document write is also appended; null: none (each durable write commits the MVStore). */
  private final StoreJournal journal;

  BsonH2Backend(MVStore mvStore) {
    this(mvStore, null);
  }

  BsonH2Backend(MVStore mvStore, StoreJournal journal) {
    super(mvStore); // opens the databases already in the file, through openOrCreateDatabase
    this.journal = journal;
  }

  /** Null while the constructor runs: the collections it opens see the journal from their first write on. */
  private StoreJournal journal() {
    return journal;
  }

  /** A drop or rename is no document write: the journal cannot replay it, so it is checkpointed at once. */
  private void structureChanged() {
    if (journal != null) {
      journal.structureChanged();
    }
  }

  @Override
  protected MongoDatabase openOrCreateDatabase(String databaseName) {
    return new Database(databaseName);
  }

  static MVMap.Builder<Object, byte[]> collectionMap() {
    return new MVMap.Builder<Object, byte[]>().keyType(BsonValueType.INSTANCE).valueType(BsonBytesType.INSTANCE);
  }

  static MVMap.Builder<KeyValue, Object> indexMap() {
    return new MVMap.Builder<KeyValue, Object>().keyType(BsonKeyValueType.INSTANCE).valueType(BsonValueType.INSTANCE);
  }

  /** Set on first use, not by an initialiser: the superclass constructor opens the collections. */
  private IndexBuilds indexBuilds;

  /** Which index maps hold a complete build; opened before the first collection (and so the first index map). */
  synchronized IndexBuilds indexBuilds() {
    if (indexBuilds == null) {
      indexBuilds = new IndexBuilds(getMvStore(), this::journal);
    }
    return indexBuilds;
  }

  /**
   * An inner class on purpose: H2Database's constructor already opens the existing collections and
   * indexes through the overrides below, before a field of this class could be set, while the outer
   * instance (and so its MVStore) is set before that constructor runs.
   */
  private final class Database extends H2Database {

    Database(String databaseName) {
      super(databaseName, BsonH2Backend.this.getMvStore(), BsonH2Backend.this.getCursorRegistry());
    }

    @Override
    protected MongoCollection<Object> openOrCreateCollection(String collectionName, CollectionOptions options) {
      MVStore file = BsonH2Backend.this.getMvStore();
      String fullName = getFullCollectionNamespace(collectionName);
      MVMap<Object, byte[]> documents = file.openMap(StoreFileFormat.DATA_PREFIX + fullName, collectionMap());
      MVMap<String, Object> meta = file.openMap(StoreFileFormat.META_PREFIX + fullName);
      return new JournaledCollection(this, collectionName, options, documents, meta, BsonH2Backend.this.getCursorRegistry(),
          BsonH2Backend.this::journal, indexBuilds());
    }

    @Override
    public void dropCollection(String collectionName, Oplog oplog) {
      super.dropCollection(collectionName, oplog);
      structureChanged();
    }

    @Override
    public void drop(Oplog oplog) {
      super.drop(oplog);
      structureChanged();
    }

    @Override
    public void moveCollection(MongoDatabase oldDatabase, MongoCollection<?> collection, String newCollectionName) {
      super.moveCollection(oldDatabase, collection, newCollectionName);
      structureChanged();
    }

    @Override
    protected void dropIndex(MongoCollection<Object> collection, String indexName) {
      super.dropIndex(collection, indexName);
      structureChanged();
    }

    @Override
    protected Index<Object> openOrCreateUniqueIndex(String collectionName, String indexName, List<IndexKey> keys,
        boolean sparse) {
      return new BsonUniqueIndex(indexMap(indexMapName(collectionName, indexName)), indexName, keys, sparse,
          planner(collectionName), getFullCollectionNamespace(collectionName));
    }

    /** The backend ignores these (an index that never answers); ours answers from a map of its own. */
    @Override
    protected Index<Object> openOrCreateSecondaryIndex(String collectionName, String indexName, List<IndexKey> keys,
        boolean sparse) {
      return new BsonSecondaryIndex(indexMap(indexMapName(collectionName, indexName)), indexName, keys, sparse,
          planner(collectionName), getFullCollectionNamespace(collectionName));
    }

    private String indexMapName(String collectionName, String indexName) {
      return getFullCollectionNamespace(collectionName) + StoreFileFormat.INDEX_INFIX + indexName;
    }

    private MVMap<KeyValue, Object> indexMap(String mapName) {
      return BsonH2Backend.this.getMvStore().openMap(mapName, BsonH2Backend.indexMap());
    }

    /** Set on first use, not by an initialiser: the superclass constructor opens the indexes. */
    private Map<String, IndexPlanner> planners;

    private synchronized IndexPlanner planner(String collectionName) {
      if (planners == null) {
        planners = new HashMap<>();
      }
      return planners.computeIfAbsent(collectionName, name -> new IndexPlanner());
    }
  }
}
