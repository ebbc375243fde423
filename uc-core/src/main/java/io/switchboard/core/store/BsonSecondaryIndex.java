package io.switchboard.core.store;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.bson.Document;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;

/**
 * A non-unique (single-field or compound) index of the embedded store, which mongo-java-server itself
 * only pretends to create: a map from the document's key values followed by its {@code _id} to nothing,
 * in {@link KeyOrder}, kept in step on every insert, update and delete, in the same file and commit as
 * the documents. It answers a query that pins its leading fields to plain values, optionally with a
 * one-sided range on the next one ({@link QueryShape}), by walking that slice of the map: the documents
 * looked at are those in the slice, not the collection. An array value gives one entry per element,
 * as in MongoDB; a sparse index leaves out documents that have none of its fields.
 */
final class BsonSecondaryIndex extends Index<Object> implements IndexPlanner.Planned {

  /** The map's values: the key says it all. */
  private static final Boolean PRESENT = Boolean.TRUE;

  private final MVMap<KeyValue, Object> entries;
  private final IndexPlanner planner;
  private final String collection;

  BsonSecondaryIndex(MVMap<KeyValue, Object> entries, String name, List<IndexKey> keys, boolean sparse,
      IndexPlanner planner, String collection) {
    super(name, keys, sparse);
    this.entries = entries;
    this.planner = planner;
    this.collection = collection;
    planner.add(this);
  }

  @Override
  public int score(QueryShape shape) {
    List<String> fields = keys();
    if (fields.stream().anyMatch(field -> field.contains("."))) {
      return 0; // a path into sub-documents: getPositions' probe document holds top-level fields only
    }
    int equal = 0;
    while (equal < fields.size() && shape.equality(fields.get(equal)) != null) {
      equal++;
    }
    boolean ranged = equal < fields.size() && shape.range(fields.get(equal)) != null;
    return 2 * equal + (ranged ? 1 : 0);
  }

  @Override
  public boolean canHandle(Document query) {
    return planner.choose(query) == this;
  }

  @Override
  public synchronized Iterable<Object> getPositions(Document query) {
    QueryShape shape = QueryShape.of(query);
    List<String> fields = keys();
    Document probe = new Document();
    int equal = 0;
    while (equal < fields.size() && shape.equality(fields.get(equal)) != null) {
      probe.put(fields.get(equal), shape.equality(fields.get(equal)));
      equal++;
    }
    QueryShape.Range range = equal < fields.size() ? shape.range(fields.get(equal)) : null;
    if (range != null) {
      probe.put(fields.get(equal), range.bound());
    }
    // The same normalisation as the entries' (numbers as the backend keeps them).
    KeyValue normalised = getKeyValues(probe).iterator().next();
    List<Object> prefix = new ArrayList<>(normalised.stream().limit(equal).toList());
    List<Object> positions = new ArrayList<>();
    if (range == null) {
      collect(prefix.isEmpty() ? null : new KeyValue(prefix), prefix, null, positions);
    } else {
      Object bound = normalised.get(equal);
      List<Object> from = new ArrayList<>(prefix);
      if (!range.below()) {
        from.add(bound); // from the bound up (a lower bound: the entries equal to it come first)
      }
      collect(from.isEmpty() ? null : new KeyValue(from), prefix, range.below() ? bound : null, positions);
    }
    IndexUse.answered(collection, getName(), positions.size());
    return positions;
  }

  /**
   * The positions of the entries from {@code from} on (a shorter key sorts before every longer one it
   * begins) while they start with {@code prefix} and, when {@code upTo} is set, while their next value
   * is at most {@code upTo} (inclusive: the query decides about equal ones).
   */
  private void collect(KeyValue from, List<Object> prefix, Object upTo, List<Object> positions) {
    Cursor<KeyValue, Object> cursor = entries.cursor(from);
    while (cursor.hasNext()) {
      KeyValue key = cursor.next();
      if (!startsWith(key, prefix)) {
        break;
      }
      if (upTo != null && KeyOrder.VALUES.compare(key.get(prefix.size()), upTo) > 0) {
        break;
      }
      positions.add(key.get(key.size() - 1));
    }
  }

  private static boolean startsWith(KeyValue key, List<Object> prefix) {
    for (int i = 0; i < prefix.size(); i++) {
      if (KeyOrder.VALUES.compare(key.get(i), prefix.get(i)) != 0) {
        return false;
      }
    }
    return true;
  }

  private boolean indexes(Document document) {
    return !isSparse() || keys().stream()
        .anyMatch(key -> !(Utils.getSubdocumentValueCollectionAware(document, key) instanceof Missing));
  }

  private static KeyValue entry(KeyValue values, Object id) {
    List<Object> key = new ArrayList<>(values.size() + 1);
    values.forEach(key::add);
    key.add(id);
    return new KeyValue(key);
  }

  private static Object idOf(Document document) {
    return Missing.ofNullable(document.get("_id"));
  }

  @Override
  public Object getPosition(Document document) {
    return null; // not unique: the _id index tells where a document is
  }

  @Override
  public void checkAdd(Document document, MongoCollection<Object> collection) {
    getKeyValues(document); // refuses parallel arrays before anything is written
  }

  @Override
  public synchronized void add(Document document, Object position, MongoCollection<Object> collection) {
    if (indexes(document)) {
      for (KeyValue values : getKeyValues(document)) {
        entries.put(entry(values, position), PRESENT);
      }
    }
  }

  @Override
  public synchronized Object remove(Document document) {
    if (!indexes(document)) {
      return null;
    }
    Object id = idOf(document);
    Object removed = null;
    for (KeyValue values : getKeyValues(document)) {
      if (entries.remove(entry(values, id)) != null) {
        removed = id;
      }
    }
    return removed;
  }

  @Override
  public void checkUpdate(Document oldDocument, Document newDocument, MongoCollection<Object> collection) {
    getKeyValues(newDocument);
  }

  @Override
  public synchronized void updateInPlace(Document oldDocument, Document newDocument, Object position,
      MongoCollection<Object> collection) {
    Set<KeyValue> before = indexes(oldDocument) ? getKeyValues(oldDocument) : Set.of();
    Set<KeyValue> after = indexes(newDocument) ? getKeyValues(newDocument) : Set.of();
    if (before.equals(after)) {
      return;
    }
    for (KeyValue values : before) {
      if (!after.contains(values)) {
        entries.remove(entry(values, position));
      }
    }
    for (KeyValue values : after) {
      if (!before.contains(values)) {
        entries.put(entry(values, position), PRESENT);
      }
    }
  }

  @Override
  public long getCount() {
    return entries.sizeAsLong();
  }

  @Override
  public boolean isEmpty() {
    return entries.isEmpty();
  }

  @Override
  public long getDataSize() {
    return getCount();
  }

  @Override
  public void drop() {
    planner.remove(this);
  }

  @Override
  public String toString() {
    return "BsonSecondaryIndex[" + collection + "/" + getName() + " " + keys() + "]";
  }
}
