package io.switchboard.core.store;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.MaxKey;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
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
 * as in MongoDB; a sparse index leaves out documents that have none of its fields. When the query sorts
 * by the fields that follow the pinned ones, it also hands out its entries in that order, one at a time
 * ({@link #inOrder}), so that a sorted page with a limit reads a page, not the whole slice.
 */
final class BsonSecondaryIndex extends Index<Object> implements IndexPlanner.Planned, StoredIndex {

  /** The map's values: the key says it all. */
  private static final Boolean PRESENT = Boolean.TRUE;

  private final MVMap<KeyValue, Object> entries;
  private final IndexPlanner planner;
  private final String collection;
  private final PlainKeys plainKeys;

  BsonSecondaryIndex(MVMap<KeyValue, Object> entries, String name, List<IndexKey> keys, boolean sparse,
      IndexPlanner planner, String collection) {
    super(name, keys, sparse);
    this.entries = entries;
    this.planner = planner;
    this.collection = collection;
    this.plainKeys = new PlainKeys(keys);
    planner.add(this);
  }

  @Override
  public Set<KeyValue> getKeyValues(Document document) {
    KeyValue plain = plainKeys.of(document);
    return plain != null ? java.util.Collections.singleton(plain) : super.getKeyValues(document);
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
   * An entry handed out in order: the document's position and the entry's values of the sort fields. The
   * caller counts the documents it reads ({@link #readInOrder}), which are what a page costs.
   */
  record Ordered(Object position, List<Object> sortKey) {
  }

  /**
   * The entries that may answer {@code query}, lazily, in the order {@code orderBy} asks for; null when
   * this index cannot give that order. It can when the sort fields are the index's fields right after
   * the ones the query pins to a value, in the same order, all ascending or all descending (the map is
   * ascending; descending walks it backwards). A one-sided range on the first sort field bounds the walk.
   */
  Iterator<Ordered> inOrder(Document query, Document orderBy) {
    List<String> fields = keys();
    QueryShape shape = QueryShape.of(query);
    int equal = 0;
    while (equal < fields.size() && shape.equality(fields.get(equal)) != null) {
      equal++;
    }
    int direction = sortDirection(orderBy, fields, equal);
    if (direction == 0) {
      return null;
    }
    Document probe = new Document();
    for (int i = 0; i < equal; i++) {
      probe.put(fields.get(i), shape.equality(fields.get(i)));
    }
    QueryShape.Range range = equal < fields.size() ? shape.range(fields.get(equal)) : null;
    if (range != null) {
      probe.put(fields.get(equal), range.bound());
    }
    // The same normalisation as the entries' (numbers as the backend keeps them).
    KeyValue normalised = getKeyValues(probe).iterator().next();
    List<Object> prefix = new ArrayList<>(normalised.stream().limit(equal).toList());
    Object bound = range == null ? null : normalised.get(equal);
    List<Object> from = new ArrayList<>(prefix);
    Cursor<KeyValue, Object> cursor;
    if (direction > 0) {
      if (range != null && !range.below()) {
        from.add(bound); // from the lower bound up
      }
      cursor = entries.cursor(from.isEmpty() ? null : new KeyValue(from));
    } else {
      if (range != null && range.below()) {
        from.add(bound); // $lt: below every entry with the bound itself (a longer key sorts after its prefix)
        if (range.operator().equals("$lte")) {
          from.add(MaxKey.getInstance()); // $lte: after every entry with the bound
        }
      } else {
        from.add(MaxKey.getInstance()); // after every entry of the prefix
      }
      cursor = entries.cursor(new KeyValue(from), null, true);
    }
    // Where the walk ends besides the prefix: at the range's bound when it walks towards it (included for $lte, $gte).
    Object stopAt = range != null && range.below() == direction > 0 ? bound : null;
    boolean stopAtEqual = range != null && !range.operator().endsWith("e");
    int sortFields = orderBy.size();
    int firstSorted = equal;
    return new Iterator<>() {
      private Ordered next;
      private boolean ended;

      /** Reads the next entry from the map only when asked: a page that is full reads no further. */
      @Override
      public boolean hasNext() {
        if (next == null && !ended) {
          next = advance();
          ended = next == null;
        }
        return next != null;
      }

      @Override
      public Ordered next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Ordered current = next;
        next = null;
        return current;
      }

      private Ordered advance() {
        if (!cursor.hasNext()) {
          return null;
        }
        KeyValue key = cursor.next();
        if (!startsWith(key, prefix)) {
          return null;
        }
        if (stopAt != null) {
          int beyond = direction * KeyOrder.VALUES.compare(key.get(firstSorted), stopAt);
          if (beyond > 0 || beyond == 0 && stopAtEqual) {
            return null;
          }
        }
        return new Ordered(key.get(key.size() - 1), key.stream().skip(firstSorted).limit(sortFields).toList());
      }
    };
  }

  /**
   * 1 or -1 when {@code orderBy} names, in order, the fields of this index from {@code equal} on, all
   * in that direction; 0 when it does not (the index cannot give that order).
   */
  private static int sortDirection(Document orderBy, List<String> fields, int equal) {
    if (orderBy == null || orderBy.isEmpty() || equal + orderBy.size() > fields.size()) {
      return 0;
    }
    int direction = 0;
    int i = equal;
    for (var sort : orderBy.entrySet()) {
      if (!sort.getKey().equals(fields.get(i++)) || !(sort.getValue() instanceof Number n)) {
        return 0;
      }
      int d = n.doubleValue() == 1 ? 1 : n.doubleValue() == -1 ? -1 : 0;
      if (d == 0 || direction != 0 && d != direction) {
        return 0;
      }
      direction = d;
    }
    return direction;
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

  /** Counts a document read for an entry {@link #inOrder} handed out. */
  void readInOrder() {
    IndexUse.answered(collection, getName(), 1);
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

  /**
   * The backend asks this only when it adds the index to its collection, to know whether to fill it from the
   * documents: never, the collection builds it when its map is not marked built
   * ({@link JournaledCollection#addIndex}).
   */
  @Override
  public boolean isEmpty() {
    return false;
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

  @Override
  public MVMap<KeyValue, Object> map() {
    return entries;
  }
}
