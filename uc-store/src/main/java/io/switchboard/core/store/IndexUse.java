package io.switchboard.core.store;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many documents each index of the embedded store handed to the queries it answered, per
 * {@code database.collection/index}: the proof (in tests, and when measuring) that a query was answered
 * through an index, which looks at those documents only, and not by a scan of the whole collection.
 * Process-wide on purpose: counters that only ever grow, read as differences.
 */
public final class IndexUse {

  private static final Map<String, LongAdder> POSITIONS = new ConcurrentHashMap<>();
  /** Times each index was filled from its whole collection when opened. */
  private static final Map<String, LongAdder> FILLS = new ConcurrentHashMap<>();

  private IndexUse() {
  }

  static void answered(String collection, String index, int positions) {
    POSITIONS.computeIfAbsent(collection + "/" + index, k -> new LongAdder()).add(positions);
  }

  /** Counts a fill of that index from its whole collection. */
  static void filledFromCollection(String collection, String index) {
    FILLS.computeIfAbsent(collection + "/" + index, k -> new LongAdder()).increment();
  }

  /** How often that index was filled from every document of its collection (when made, or opened unmarked). */
  public static long fills(String collection, String index) {
    LongAdder count = FILLS.get(collection + "/" + index);
    return count == null ? 0 : count.sum();
  }

  /** Documents handed out so far by that index (e.g. {@code switchboard.messages/to_state_created}). */
  public static long positions(String collection, String index) {
    LongAdder count = POSITIONS.get(collection + "/" + index);
    return count == null ? 0 : count.sum();
  }
}
