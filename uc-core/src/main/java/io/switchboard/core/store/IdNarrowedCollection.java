package io.switchboard.core.store;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;
import java.util.stream.Stream;
import org.h2.mvstore.MVMap;

/**
 * mongo-java-server uses an index only for a query on exactly that index's keys: {@code {_id: x,
 * state: "STORED"}} (a compare-and-set such as marking a stored message delivered) scanned and
 * decoded the whole collection, so every such update got slower as history grew. A query that
 * names one plain {@code _id} can match at most the document stored under that key: look it up,
 * then let the backend apply the whole query (and sort, skip, projection) to that one document.
 */
class IdNarrowedCollection extends H2Collection {

  private final MVMap<Object, Document> documents;

  IdNarrowedCollection(MongoDatabase database, String name, CollectionOptions options, MVMap<Object, Document> documents,
      MVMap<String, Object> meta, CursorRegistry cursors) {
    super(database, name, options, documents, meta, cursors);
    this.documents = documents;
  }

  @Override
  protected QueryResult matchDocuments(Document query, Document orderBy, int skip, int limit, int batchSize,
      Document fieldSelector) {
    Object id = query.get(getIdField());
    // Only key types stored as they are compared (no numeric or nested normalisation to second-guess).
    if (id instanceof String || id instanceof ObjectId) {
      Document found = documents.get(id);
      Stream<Document> candidates = found == null ? Stream.empty() : Stream.of(found);
      return matchDocumentsFromStream(candidates, query, orderBy, skip, limit, batchSize, fieldSelector);
    }
    return super.matchDocuments(query, orderBy, skip, limit, batchSize, fieldSelector);
  }
}
