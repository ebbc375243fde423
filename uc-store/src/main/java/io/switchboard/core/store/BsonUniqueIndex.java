package io.switchboard.core.store;

import de.bwaldvogel.mongo.backend.AbstractUniqueIndex;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.bson.Document;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.h2.mvstore.MVMap;

/**
 * A unique index (among them every collection's {@code _id} index) on a typed map: key values to the
 * document's position (its {@code _id}), as mongo-java-server's own H2 index keeps them, whose
 * constructor is package-private. Besides the queries on exactly its fields, which the backend already
 * sends to it, it answers those that pin all its fields to plain values among other conditions, such as
 * a compare-and-set {@code {$and: [{_id: x}, {state: "STORED"}]}}: the backend would scan the whole
 * collection for those. The {@link IndexPlanner} prefers it to every non-unique index.
 */
final class BsonUniqueIndex extends AbstractUniqueIndex<Object> implements IndexPlanner.Planned, StoredIndex {

  private static final int UNIQUE = 1000;

  private final MVMap<KeyValue, Object> positions;
  private final IndexPlanner planner;
  private final String collection;
  private final PlainKeys plainKeys;

  BsonUniqueIndex(MVMap<KeyValue, Object> positions, String name, List<IndexKey> keys, boolean sparse,
      IndexPlanner planner, String collection) {
    super(name, keys, sparse);
    this.positions = positions;
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
    // Not for paths into sub-documents: getPositions' probe document holds top-level fields only.
    boolean pinned = keys().stream().allMatch(key -> !key.contains(".") && shape.equality(key) != null);
    return pinned ? UNIQUE + keys().size() : 0;
  }

  @Override
  public synchronized boolean canHandle(Document query) {
    return super.canHandle(query) || planner.choose(query) == this;
  }

  @Override
  public synchronized Iterable<Object> getPositions(Document query) {
    if (super.canHandle(query)) {
      return super.getPositions(query);
    }
    QueryShape shape = QueryShape.of(query);
    Document probe = new Document();
    keys().forEach(key -> probe.put(key, shape.equality(key)));
    // The same normalisation as the keys' (numbers as the backend keeps them).
    Object position = getPosition(getKeyValues(probe).iterator().next());
    IndexUse.answered(collection, getName(), position == null ? 0 : 1);
    return position == null ? List.of() : List.of(position);
  }

  @Override
  protected Object removeDocument(KeyValue key) {
    return positions.remove(key);
  }

  @Override
  protected boolean putKeyPosition(KeyValue key, Object position) {
    return positions.putIfAbsent(key, Missing.ofNullable(position)) == null;
  }

  @Override
  protected Iterable<Map.Entry<KeyValue, Object>> getIterable() {
    return positions.entrySet();
  }

  @Override
  protected Object getPosition(KeyValue key) {
    return positions.get(key);
  }

  @Override
  public long getCount() {
    return positions.sizeAsLong();
  }

  /** Never filled by the backend: built by its collection (see BsonSecondaryIndex#isEmpty). */
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
    super.drop();
  }

  @Override
  public MVMap<KeyValue, Object> map() {
    return positions;
  }
}
