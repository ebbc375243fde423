package io.switchboard.core.store;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.IndexBuildFailedException;
import java.util.function.Supplier;
import org.h2.mvstore.MVMap;

/**
 * A collection whose every document write also goes to the {@link StoreJournal}: the three places where
 * mongo-java-server's H2 collection touches its document map (an insert or upsert, an update or replace,
 * a removal). Index maps are not journaled: a replay rebuilds the indexes of what it touched.
 */
final class JournaledCollection extends IdNarrowedCollection {

  /** Read at each write: the collections opened by the backend's constructor exist before the journal is set. */
  private final Supplier<StoreJournal> journal;

  JournaledCollection(MongoDatabase database, String name, CollectionOptions options, MVMap<Object, Document> documents,
      MVMap<String, Object> meta, CursorRegistry cursors, Supplier<StoreJournal> journal) {
    super(database, name, options, documents, meta, cursors);
    this.journal = journal;
  }

  @Override
  protected Object addDocumentInternal(Document document) {
    StoreJournal log = journal.get();
    if (log == null) {
      return super.addDocumentInternal(document);
    }
    if (getIdField() == null) { // the key is a random UUID chosen by the write itself
      return log.putAfter(getFullName(), document, () -> super.addDocumentInternal(document));
    }
    Object key = Missing.ofNullable(Utils.getSubdocumentValue(document, getIdField()));
    return log.put(getFullName(), key, document, () -> super.addDocumentInternal(document));
  }

  @Override
  protected void handleUpdate(Object position, Document oldDocument, Document newDocument) {
    StoreJournal log = journal.get();
    if (log == null) {
      super.handleUpdate(position, oldDocument, newDocument);
      return;
    }
    log.put(getFullName(), Missing.ofNullable(position), newDocument, () -> {
      super.handleUpdate(position, oldDocument, newDocument);
      return null;
    });
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
   * A build from the documents that fails (a unique index over duplicate values) leaves the index's map in
   * the file, and an open takes a stored map for a complete index: it would stay empty, unenforced, and
   * answer queries with nothing. So the map goes, at once into the file, and the next createIndex or open
   * builds the index again.
   */
  @Override
  public void addIndex(Index<Object> index) {
    try {
      super.addIndex(index);
    } catch (IndexBuildFailedException e) {
      if (index instanceof StoredIndex stored) {
        stored.removeMap();
        StoreJournal log = journal.get();
        if (log != null) {
          log.structureChanged(); // a checkpoint: the map's removal is no journaled write
        }
      }
      throw e;
    }
  }
}
