package io.switchboard.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.bson.Document;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link PlainKeys} gives exactly the key values mongo-java-server's own walk gives, for every kind
 * of value a stored document has (numbers of each width and -0, a long no double holds, dates, strings,
 * booleans, null, a missing field, a sub-document first or last), and leaves arrays and paths to that walk.
 */
class PlainKeysTest {

  private static final List<IndexKey> KEYS = List.of(new IndexKey("to", true), new IndexKey("state", true),
      new IndexKey("createdAt", true), new IndexKey("seq", true));

  /** The backend's general walk: an index that only computes key values. */
  private static Index<Object> reference(List<IndexKey> keys) {
    return new Index<>("reference", keys, false) {
      @Override
      public Object getPosition(Document document) {
        return null;
      }

      @Override
      public void checkAdd(Document document, MongoCollection<Object> collection) {
      }

      @Override
      public void add(Document document, Object position, MongoCollection<Object> collection) {
      }

      @Override
      public Object remove(Document document) {
        return null;
      }

      @Override
      public boolean canHandle(Document query) {
        return false;
      }

      @Override
      public Iterable<Object> getPositions(Document query) {
        return List.of();
      }

      @Override
      public long getCount() {
        return 0;
      }

      @Override
      public long getDataSize() {
        return 0;
      }

      @Override
      public void checkUpdate(Document oldDocument, Document newDocument, MongoCollection<Object> collection) {
      }

      @Override
      public void updateInPlace(Document oldDocument, Document newDocument, Object position,
          MongoCollection<Object> collection) {
      }

      @Override
      public void drop() {
      }
    };
  }

  private static Document message(Object to, Object state, Object createdAt, Object seq) {
    Document d = new Document("_id", "m1").append("to", to).append("state", state).append("createdAt", createdAt);
    if (seq != null) {
      d.append("seq", seq);
    }
    return d;
  }

  @Test
  void sameKeyValuesAsTheBackendsWalk() {
    PlainKeys plain = new PlainKeys(KEYS);
    Index<Object> reference = reference(KEYS);
    List<Document> documents = List.of(
        message("bob", "DELIVERED", new Date(1_700_000_000_000L), 7),
        message("bob", "STORED", Instant.ofEpochMilli(1_700_000_000_123L), 7L),
        message("bob", "STORED", new Date(0), Long.MAX_VALUE - 1), // no double holds it: kept a long
        message("bob", "STORED", new Date(0), 2.5),
        message("bob", null, new Date(0), 3),
        message("bob", "STORED", new Date(0), null), // seq missing
        message("bob", "STORED", new Date(0), -0.0),
        message("bob", "STORED", new Date(0), 1.5f),
        message("bob", "STORED", new Date(0), (short) 4),
        message("bob", "STORED", new Date(0), new java.math.BigDecimal("12.25")),
        message(new Document("user", "bob").append("n", 1), true, new Date(0), 0),
        message("bob", "STORED", new Date(0), new Document("n", 2L).append("m", -0.0)), // a sub-document last
        new Document("_id", "m2"));
    for (Document d : documents) {
      KeyValue fast = plain.of(d);
      assertNotNull(fast, d.toString());
      Set<KeyValue> general = reference.getKeyValues(d);
      assertEquals(general, Set.of(fast), d.toString());
      assertEquals(general.iterator().next().hashCode(), fast.hashCode(), d.toString());
    }
  }

  @Test
  void arraysAndPathsTakeTheGeneralWalk() {
    assertNull(new PlainKeys(KEYS).of(message("bob", List.of("STORED", "DELIVERED"), new Date(0), 1)));
    assertNull(new PlainKeys(List.of(new IndexKey("a.b", true))).of(new Document("a", new Document("b", 1))));
  }

  @Test
  void theIndexesUseIt() {
    Index<Object> reference = reference(KEYS);
    Document d = message("bob", "STORED", new Date(5), 9);
    BsonSecondaryIndex secondary = new BsonSecondaryIndex(null, "to_state_created", KEYS, false, new IndexPlanner(),
        "messages");
    assertEquals(reference.getKeyValues(d), secondary.getKeyValues(d));
    Document many = message("bob", List.of("STORED", "DELIVERED"), new Date(5), 9);
    assertEquals(reference.getKeyValues(many), secondary.getKeyValues(many)); // one entry per element
    assertEquals(2, secondary.getKeyValues(many).size());
  }
}
