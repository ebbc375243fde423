package io.switchboard.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.bson.BinData;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.DataType;
import org.junit.jupiter.api.Test;

/** The embedded store's H2 data types: what is written is read back, and keys keep a strict order. */
class BsonTypesTest {

  private static final List<Object> VALUES = List.of("m1", new ObjectId(), 42, 3_000_000_000L, 2.5, true,
      Instant.ofEpochMilli(1_700_000_000_123L), new BinData(new byte[] {1, 2, 3}), UUID.randomUUID(),
      new Document("a", 1).append("b", List.of("x", 2)));

  private static <T> T roundTrip(DataType<T> type, T value) {
    WriteBuffer out = new WriteBuffer();
    type.write(out, value);
    type.write(out, value); // two in a row: each read must stop where its value ends
    ByteBuffer in = out.getBuffer().flip();
    T first = type.read(in);
    T second = type.read(in);
    assertTrue(java.util.Objects.deepEquals(first, second), "the same twice: " + first + ", " + second);
    assertEquals(0, in.remaining());
    return first;
  }

  @Test
  void valuesDocumentsAndKeyValuesReadBackAsWritten() {
    for (Object value : VALUES) {
      Object read = roundTrip(BsonValueType.INSTANCE, value);
      assertEquals(0, BsonValueType.INSTANCE.compare(value, read), "read back: " + value);
      assertEquals(value.getClass(), read.getClass());
    }
    assertSame(Missing.getInstance(), roundTrip(BsonValueType.INSTANCE, Missing.getInstance()));
    assertEquals(null, roundTrip(BsonValueType.INSTANCE, null));

    Document document = new Document("_id", "m1").append("text", "hällo").append("attempts", 3)
        .append("createdAt", Instant.ofEpochMilli(1_700_000_000_123L)).append("deliveredAt", null)
        .append("body", new BinData("hello".getBytes()));
    assertEquals(document, BsonBytesType.decode(roundTrip(BsonBytesType.INSTANCE, BsonBytesType.encode(document))));

    KeyValue key = new KeyValue("alice", 7.0, null);
    KeyValue readKey = roundTrip(BsonKeyValueType.INSTANCE, key);
    assertEquals(key, readKey);
  }

  @Test
  void keysAreOrderedStrictlyAndNumbersCompareByValue() {
    List<Object> sorted = new ArrayList<>(VALUES);
    sorted.sort(BsonValueType.INSTANCE);
    for (int i = 1; i < sorted.size(); i++) {
      assertTrue(BsonValueType.INSTANCE.compare(sorted.get(i - 1), sorted.get(i)) < 0, "strictly ordered: " + sorted);
    }
    // The backend's comparator calls these equal; as map keys they are two.
    assertNotEquals(0, BsonValueType.INSTANCE.compare(3_000_000_000.5, 3_000_000_000L));
    assertTrue(BsonValueType.INSTANCE.compare(3_000_000_000L, 3_000_000_000.5) < 0);
    // One number, whatever its type: what MongoDB's unique _id index says too.
    assertEquals(0, BsonValueType.INSTANCE.compare(1, 1.0));
    assertEquals(0, BsonValueType.INSTANCE.compare(1L, 1));
    assertTrue(BsonKeyValueType.INSTANCE.compare(new KeyValue("a", 1.0), new KeyValue("a", 2.0)) < 0);
    assertTrue(BsonKeyValueType.INSTANCE.compare(new KeyValue(Arrays.asList("a", null)), new KeyValue("a", 1.0)) < 0);
  }

  /** KeyOrder answers two strings, ObjectIds or dates itself: always as the backend's comparator does. */
  @Test
  void valuesOfOneTypeCompareAsTheBackendComparesThem() {
    de.bwaldvogel.mongo.backend.ValueComparator backend = de.bwaldvogel.mongo.backend.ValueComparator.ascWithoutListHandling();
    java.util.Random random = new java.util.Random(7);
    List<List<Object>> samples = new ArrayList<>();
    samples.add(new ArrayList<>(List.of("", "a", "ab", "b", "B", "é", "\uD83D\uDE00", "\uFFFF", "alice|bob", "alice|bob2")));
    List<Object> ids = new ArrayList<>();
    List<Object> instants = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      ids.add(new ObjectId());
      instants.add(Instant.ofEpochMilli(random.nextLong() % 4_000_000_000_000L));
      StringBuilder text = new StringBuilder();
      for (int c = random.nextInt(6); c > 0; c--) {
        text.append((char) (random.nextBoolean() ? 'a' + random.nextInt(3) : random.nextInt(0x3000)));
      }
      samples.get(0).add(text.toString());
    }
    instants.add(instants.get(0));
    samples.add(ids);
    samples.add(instants);
    for (List<Object> values : samples) {
      for (Object a : values) {
        for (Object b : values) {
          assertEquals(Integer.signum(backend.compare(a, b)), Integer.signum(KeyOrder.compareValues(a, b)),
              () -> a + " against " + b);
        }
      }
    }
  }
}
