package io.switchboard.core.store;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.exception.IndexBuildFailedException;
import de.bwaldvogel.mongo.exception.MongoServerError;
import java.util.function.Supplier;
import org.h2.mvstore.MVMap;

/**
 * A collection whose every document write also goes to the {@link StoreJournal}: a put (an insert or
 * upsert, an update or replace) and a removal. Index maps are not journaled: a replay rebuilds the
 * indexes of what it touched. It also builds its indexes' maps from its documents ({@link #addIndex}).
 */
final class JournaledCollection extends IdNarrowedCollection {

  /** Read at each write: the collections opened by the backend's constructor exist before the journal is set. */
  private final Supplier<StoreJournal> journal;
  private final IndexBuilds builds;

  JournaledCollection(MongoDatabase database, String name, CollectionOptions options, MVMap<Object, byte[]> documents,
      MVMap<String, Object> meta, CursorRegistry cursors, Supplier<StoreJournal> journal, IndexBuilds builds) {
    super(database, name, options, documents, meta, cursors);
    this.journal = journal;
    this.builds = builds;
  }

  /** The journal's record, then the map write: the document's bytes encoded once for both. */
  @Override
  protected byte[] put(Object key, byte[] bson) {
    StoreJournal log = journal.get();
    if (log == null) {
      return super.put(key, bson);
    }
    return log.put(getFullName(), key, bson, () -> super.put(key, bson));
  }

  @Override
  protected void removeDocument(Object position) {
    StoreJournal log = journal.get();
    if (log == null) {
      super.removeDocument(position);
      return;
    }
    log.remove(getFullName(), position, () -> {
      super.removeDocument(position);
      return null;
    });
  }

  /**
   * Builds a stored index here rather than in the backend (which fills an index that says it is empty when
   * it is added, and so never ours): an index whose map is marked built ({@link IndexBuilds}) is taken as it
   * is, an empty sparse one's included, without reading the collection; any other map is emptied (a build cut
   * short by a kill may have left part of one in the file) and filled from the documents, then marked. A
   * build that fails (a unique index over duplicate values) takes its map out of the file.
   */
  @Override
  public void addIndex(Index<Object> index) {
    boolean added = getIndexes().stream().anyMatch(i -> i.getName().equals(index.getName()));
    if (!added && index instanceof StoredIndex stored && !builds.built(stored.map())) {
      build(index, stored.map());
    }
    super.addIndex(index);
  }

  /** As the backend builds one: every document checked, then every document added (a duplicate fails there). */
  private void build(Index<Object> index, MVMap<?, ?> map) {
    IndexUse.filledFromCollection(getFullName(), index.getName());
    map.clear();
    long[] added = {0};
    try {
      streamAllDocumentsWithPosition().forEach(d -> index.checkAdd(d.getDocument(), this));
      streamAllDocumentsWithPosition().forEach(d -> {
        index.add(d.getDocument(), d.getPosition(), this);
        added[0]++;
        builds.entryAdded();
      });
    } catch (MongoServerError e) {
      builds.failed(map);
      throw new IndexBuildFailedException(e, this);
    }
    builds.completed(map, added[0]);
  }
}
