package io.switchboard.core.store;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;

/**
 * mongo-java-server uses an index only for a query on exactly that index's keys: {@code {_id: x,
 * state: "STORED"}} (a compare-and-set such as marking a stored message delivered) scanned and
 * decoded the whole collection, so every such update got slower as history grew. A query that
 * names one plain {@code _id} can match at most the document stored under that key: look it up,
 * then let the backend apply the whole query (and sort, skip, projection) to that one document.
 *
 * <p>Likewise a sorted query with a limit (a history page): the backend reads every document its index
 * hands out, then sorts them all and keeps a page. When the index can hand them out in the sort's order
 * ({@link BsonSecondaryIndex#inOrder}), read only until the page is full.
 */
class IdNarrowedCollection extends BsonBytesCollection {

  /** mongo-java-server's name for every collection's {@code _id} index (what {@link IndexUse} counts a range read under). */
  static final String ID_INDEX = "_id_";

  IdNarrowedCollection(MongoDatabase database, String name, CollectionOptions options, MVMap<Object, byte[]> documents,
      MVMap<String, Object> meta, CursorRegistry cursors) {
    super(database, name, options, documents, meta, cursors);
  }

  @Override
  protected QueryResult queryDocuments(Document query, Document orderBy, int skip, int limit, int batchSize,
      Document fieldSelector) {
    List<Document> range = limit > 0 ? idRange(query, orderBy, (long) skip + limit) : null;
    if (range != null) {
      return matchDocumentsFromStream(range.stream(), query, orderBy, skip, limit, batchSize, fieldSelector);
    }
    List<Document> page = limit > 0 ? pageInIndexOrder(query, orderBy, (long) skip + limit) : null;
    if (page != null) {
      return matchDocumentsFromStream(page.stream(), query, orderBy, skip, limit, batchSize, fieldSelector);
    }
    return super.queryDocuments(query, orderBy, skip, limit, batchSize, fieldSelector);
  }

  /**
   * The first {@code wanted} matches in the order of {@code orderBy}, and the ones that tie with the last
   * of them, in {@code _id} order, read from the index the backend would choose: the backend's (stable)
   * sort then gives exactly the page that sorting all matches in {@code _id} order, as a scan does, would
   * give. Null when that index cannot give the order, or a document has an array in a sort field (the
   * index has an entry per element; the backend's sort decides).
   */
  private List<Document> pageInIndexOrder(Document query, Document orderBy, long wanted) {
    Index<Object> chosen = null;
    for (Index<Object> index : getIndexes()) {
      if (index.canHandle(query)) { // the backend takes the first that can, as here
        chosen = index;
        break;
      }
    }
    if (!(chosen instanceof BsonSecondaryIndex index)) {
      return null;
    }
    Iterator<BsonSecondaryIndex.Ordered> entries = index.inOrder(query, orderBy);
    if (entries == null) {
      return null;
    }
    Map<Object, Document> matched = new TreeMap<>(KeyOrder.VALUES);
    List<Object> lastSortKey = null;
    while (entries.hasNext()) {
      BsonSecondaryIndex.Ordered entry = entries.next();
      if (matched.size() >= wanted && !sameValues(entry.sortKey(), lastSortKey)) {
        break;
      }
      Document document = getDocument(entry.position());
      index.readInOrder();
      if (document != null && orderBy.keySet().stream().anyMatch(field -> document.get(field) instanceof Collection)) {
        return null; // an array sorts by the backend's rules, not by the index's entry per element
      }
      if (document != null && documentMatchesQuery(document, query)) {
        matched.put(entry.position(), document);
        lastSortKey = entry.sortKey();
      }
    }
    return new ArrayList<>(matched.values());
  }

  /**
   * One range of a read in {@code _id} order ({@link MongoCalls#inIdRanges}): a query on nothing but a lower
   * bound of {@code _id} ({@code $gt} or {@code $gte} a string or ObjectId, or none), sorted by {@code _id}
   * ascending, with a limit. The backend would materialise and sort every document of the collection for
   * each such range; the document map is kept in {@code _id} order ({@link KeyOrder}, the backend's own
   * order), so walk it from the bound until {@code wanted} match. Null when the query is not such a range.
   */
  private List<Document> idRange(Document query, Document orderBy, long wanted) {
    String id = getIdField();
    if (id == null || orderBy == null || orderBy.size() != 1 || !(orderBy.get(id) instanceof Number order)
        || order.intValue() != 1) {
      return null;
    }
    Object from = null;
    boolean inclusive = true;
    for (String field : query.keySet()) {
      if (!field.equals(id) || !(query.get(field) instanceof Document bound) || bound.size() != 1) {
        return null;
      }
      String operator = bound.keySet().iterator().next();
      from = bound.get(operator);
      inclusive = operator.equals("$gte");
      if (!inclusive && !operator.equals("$gt") || !(from instanceof String || from instanceof ObjectId)) {
        return null;
      }
    }
    List<Document> range = new ArrayList<>((int) Math.min(wanted, 1024));
    Cursor<Object, byte[]> cursor = documents().cursor(from);
    int walked = 0;
    while (range.size() < wanted && cursor.hasNext()) {
      Object key = cursor.next();
      walked++;
      if (inclusive || KeyOrder.VALUES.compare(key, from) != 0) {
        Document document = BsonBytesType.decode(cursor.getValue());
        if (documentMatchesQuery(document, query)) {
          range.add(document);
        }
      }
    }
    IndexUse.answered(getFullName(), ID_INDEX, walked);
    return range;
  }

  private static boolean sameValues(List<Object> a, List<Object> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (KeyOrder.VALUES.compare(a.get(i), b.get(i)) != 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  protected QueryResult matchDocuments(Document query, Document orderBy, int skip, int limit, int batchSize,
      Document fieldSelector) {
    Object id = query.get(getIdField());
    // Only key types stored as they are compared (no numeric or nested normalisation to second-guess).
    if (id instanceof String || id instanceof ObjectId) {
      Document found = getDocument(id);
      Stream<Document> candidates = found == null ? Stream.empty() : Stream.of(found);
      return matchDocumentsFromStream(candidates, query, orderBy, skip, limit, batchSize, fieldSelector);
    }
    return super.matchDocuments(query, orderBy, skip, limit, batchSize, fieldSelector);
  }
}
