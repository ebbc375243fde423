package io.switchboard.core.store;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.Assert;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.DocumentWithPosition;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.backend.ValueComparator;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.bson.Document;
import java.util.NoSuchElementException;
import java.util.UUID;
import java.util.stream.Stream;
import org.h2.mvstore.MVMap;

/**
 * mongo-java-server's H2 collection with its documents kept as their BSON bytes ({@link BsonBytesType}):
 * encoded once when written, decoded when read. The backend keeps the document objects themselves in its
 * map, so every document written since the last checkpoint (unsaved pages) and every cached page held a
 * tree of some fifty objects, and each young collection copied the recent ones: under a stream of stored
 * messages its pauses were a third longer (bench/README.md). Every method of the backend's collection that
 * touches its document map is here; the backend's own map is null, so one missed would fail loudly.
 */
class BsonBytesCollection extends H2Collection {

  private final MVMap<Object, byte[]> documents;

  BsonBytesCollection(MongoDatabase database, String name, CollectionOptions options, MVMap<Object, byte[]> documents,
      MVMap<String, Object> meta, CursorRegistry cursors) {
    super(database, name, options, null, meta, cursors);
    this.documents = documents;
  }

  /** The map of encoded documents, by key, in key order. */
  protected final MVMap<Object, byte[]> documents() {
    return documents;
  }

  /**
   * Every write of a document goes through here (an insert, an upsert, an update or replace): the key and
   * the document's bytes; returns the bytes it replaced, null if none.
   */
  protected byte[] put(Object key, byte[] bson) {
    return documents.put(key, bson);
  }

  @Override
  protected Object addDocumentInternal(Document document) {
    Object key = getIdField() != null ? Utils.getSubdocumentValue(document, getIdField()) : UUID.randomUUID();
    byte[] previous = put(Missing.ofNullable(key), BsonBytesType.encode(document));
    Assert.isNull(previous, () -> "Document with key '" + key + "' already existed in " + this);
    return key;
  }

  @Override
  protected void handleUpdate(Object position, Document oldDocument, Document newDocument) {
    put(Missing.ofNullable(position), BsonBytesType.encode(newDocument));
  }

  @Override
  protected void removeDocument(Object position) {
    if (documents.remove(position) == null) {
      throw new NoSuchElementException("No document with key " + position);
    }
  }

  @Override
  protected Document getDocument(Object position) {
    byte[] bson = documents.get(position);
    return bson == null ? null : BsonBytesType.decode(bson);
  }

  @Override
  public int count() {
    return documents.size();
  }

  @Override
  public boolean isEmpty() {
    return documents.isEmpty();
  }

  @Override
  protected Stream<DocumentWithPosition<Object>> streamAllDocumentsWithPosition() {
    return documents.entrySet().stream()
        .map(e -> new DocumentWithPosition<>(BsonBytesType.decode(e.getValue()), e.getKey()));
  }

  /** As the backend's: every document in key order, or reversed for {@code $natural: -1}. */
  @Override
  protected QueryResult matchDocuments(Document query, Document orderBy, int skip, int limit, int batchSize,
      Document fieldSelector) {
    Stream<Document> all = isNaturalDescending(orderBy)
        ? streamAllDocumentsWithPosition().sorted((a, b) -> ValueComparator.desc().compare(a.getPosition(),
            b.getPosition())).map(DocumentWithPosition::getDocument)
        : documents.values().stream().map(BsonBytesType::decode);
    return matchDocumentsFromStream(all, query, orderBy, skip, limit, batchSize, fieldSelector);
  }
}
