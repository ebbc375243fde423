package io.switchboard.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import io.switchboard.core.config.SwitchboardConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole collections read in {@code _id} ranges ({@link MongoCalls#inIdRanges}) through the embedded
 * store: every document exactly once, in {@code _id} order, each range at most its size, with string and
 * ObjectId keys, after deletes and inserts between ranges and a reopen of the file; and the store walks
 * each range from its {@code _id} order only ({@link IndexUse}), not the whole collection per range.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class IdRangesTest {

  @TempDir
  Path dir;

  private MongoStore store;

  @BeforeEach
  void open() {
    store = MongoStore.open(new SwitchboardConfig.Store(dir, Optional.empty(), "switchboard"));
  }

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  private MongoCollection<Document> collection(String name) {
    return store.database().getCollection(name);
  }

  /** Every range read, as handed over. */
  private static List<List<Document>> ranges(MongoCollection<Document> c, int size) {
    List<List<Document>> out = new ArrayList<>();
    MongoCalls.inIdRanges(c, size, range -> out.add(List.copyOf(range)));
    return out;
  }

  private static List<Object> ids(List<List<Document>> ranges) {
    List<Object> out = new ArrayList<>();
    ranges.forEach(r -> r.forEach(d -> out.add(d.get("_id"))));
    return out;
  }

  @Test
  void everyDocumentOnceInIdOrderThroughDeletesAndAReopen() {
    MongoCollection<Document> c = collection("bindings");
    Random random = new Random(12);
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 2_345; i++) {
      keys.add("u" + String.format("%06d", random.nextInt(1_000_000)) + "|" + i); // unique, not in insertion order
    }
    List<Document> docs = new ArrayList<>();
    Collections.shuffle(keys, random);
    keys.forEach(k -> docs.add(new Document("_id", k).append("username", k.substring(0, 7)).append("n", k.length())));
    c.insertMany(docs);
    TreeSet<String> expected = new TreeSet<>(keys);

    for (int size : new int[] {1000, 7, 1, 5000}) {
      List<List<Document>> ranges = ranges(c, size);
      assertEquals(new ArrayList<>(expected), ids(ranges), "range size " + size + ": each once, in _id order");
      ranges.forEach(r -> assertTrue(r.size() <= size && !r.isEmpty(), "no range over its size, none empty"));
      assertEquals(docs.get(0), c.find(Filters.eq("_id", docs.get(0).get("_id"))).first(), "whole documents");
      assertTrue(ranges.stream().allMatch(r -> r.stream().allMatch(d -> d.getInteger("n") == d.getString("_id").length())));
    }

    // Deletes, then a reopen of the file: still each remaining document once.
    for (int i = 0; i < 300; i++) {
      String gone = keys.get(i);
      c.deleteOne(Filters.eq("_id", gone));
      expected.remove(gone);
    }
    close();
    open();
    assertEquals(new ArrayList<>(expected), ids(ranges(collection("bindings"), 1000)), "after deletes and a reopen");
  }

  @Test
  void documentsAddedAheadOfTheReadAreSeenAndDeletedOnesAreNot() {
    MongoCollection<Document> c = collection("presence");
    for (int i = 0; i < 50; i++) {
      c.insertOne(new Document("_id", String.format("p%03d", i * 2)));
    }
    List<Object> seen = new ArrayList<>();
    MongoCalls.inIdRanges(c, 10, range -> {
      range.forEach(d -> seen.add(d.get("_id")));
      if (seen.size() == 10) { // after the first range (p000..p018): one added ahead, one deleted ahead, one added behind
        c.insertOne(new Document("_id", "p051"));
        c.deleteOne(Filters.eq("_id", "p060"));
        c.insertOne(new Document("_id", "p001"));
      }
    });
    List<Object> expected = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      expected.add(String.format("p%03d", i * 2));
    }
    expected.remove("p060");
    expected.add(expected.indexOf("p052"), "p051");
    assertEquals(expected, seen);
  }

  @Test
  void objectIdKeysAndAnEmptyCollection() {
    assertEquals(List.of(), ranges(collection("empty"), 1000));
    MongoCollection<Document> c = collection("users");
    TreeSet<ObjectId> expected = new TreeSet<>();
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < 1_500; i++) {
      ObjectId id = new ObjectId();
      expected.add(id);
      docs.add(new Document("_id", id).append("username", "user" + i));
    }
    Collections.shuffle(docs, new Random(3));
    c.insertMany(docs);
    List<List<Document>> ranges = ranges(c, 1000);
    assertEquals(List.of(1000, 500), ranges.stream().map(List::size).toList());
    assertEquals(new ArrayList<>(expected), ids(ranges));
  }

  @Test
  void eachRangeIsWalkedFromItsBoundNotScanned() {
    MongoCollection<Document> c = collection("devices");
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      docs.add(new Document("_id", String.format("d%05d", i)).append("kind", "desk"));
    }
    c.insertMany(docs);
    long before = IndexUse.positions("switchboard.devices", IdNarrowedCollection.ID_INDEX);
    List<List<Document>> ranges = ranges(c, 1000);
    long walked = IndexUse.positions("switchboard.devices", IdNarrowedCollection.ID_INDEX) - before;
    assertEquals(5_000, ids(ranges).size());
    // Each range walks its own documents and, after the first, steps over its bound; one more read finds nothing.
    assertTrue(walked >= 5_000 && walked <= 5_000 + ranges.size() + 1, "walked " + walked + " documents for 5,000: no scan per range");
  }
}
