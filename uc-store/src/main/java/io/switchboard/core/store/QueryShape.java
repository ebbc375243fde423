package io.switchboard.core.store;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a query pins down that an index can use: per field, an equality to one plain value or a
 * one-sided range, taken from the top level and from {@code $and} (how the driver renders
 * {@code Filters.and}). Everything else in the query ({@code $or}, {@code $ne}, {@code $exists}, a
 * second bound...) only narrows the result further, and the collection still applies the whole query
 * to every document an index yields: so an index only has to return a superset of the matches, never
 * miss one. That is why a range keeps one bound only: on an array field, {@code {$gt: 5, $lt: 8}}
 * matches {@code [1, 10]} (each bound met by another element), which no single key range contains.
 */
final class QueryShape {

  /** {@code $lt}, {@code $lte}, {@code $gt} or {@code $gte} and its bound. */
  record Range(String operator, Object bound) {

    boolean below() {
      return operator.startsWith("$l");
    }
  }

  private final Map<String, Object> equalities = new LinkedHashMap<>();
  private final Map<String, Range> ranges = new LinkedHashMap<>();

  private QueryShape() {
  }

  static QueryShape of(Document query) {
    QueryShape shape = new QueryShape();
    shape.collect(query);
    return shape;
  }

  /** The plain value the field must equal, or null. */
  Object equality(String field) {
    return equalities.get(field);
  }

  /** A one-sided range on the field, or null. */
  Range range(String field) {
    return ranges.get(field);
  }

  private void collect(Document query) {
    for (Map.Entry<String, Object> e : query.entrySet()) {
      String field = e.getKey();
      Object value = e.getValue();
      if (field.equals("$and") && value instanceof Collection<?> clauses) {
        for (Object clause : clauses) {
          if (clause instanceof Document d) {
            collect(d);
          }
        }
      } else if (!field.startsWith("$")) {
        condition(field, value);
      }
    }
  }

  private void condition(String field, Object value) {
    if (isPlain(value)) {
      equalities.putIfAbsent(field, value);
      return;
    }
    if (!(value instanceof Document operators) || operators.isEmpty()
        || !operators.keySet().stream().allMatch(k -> k.startsWith("$"))) {
      return; // a sub-document or array compared as a whole, null, a pattern: no index
    }
    Object eq = operators.get("$eq");
    if (isPlain(eq)) {
      equalities.putIfAbsent(field, eq);
    }
    for (String op : new String[] {"$lt", "$lte", "$gt", "$gte"}) {
      Object bound = operators.get(op);
      if (isPlain(bound)) {
        ranges.putIfAbsent(field, new Range(op, bound));
      }
    }
  }

  /**
   * Values whose equality and order are the same for the query matcher and for the index's key order:
   * no fractional numbers (the matcher compares a fractional and a whole number as longs), no
   * null, arrays or documents (matched as wholes or by missing fields, not by one key).
   */
  static boolean isPlain(Object value) {
    if (value instanceof String || value instanceof ObjectId || value instanceof Boolean || value instanceof Instant) {
      return true;
    }
    if (value instanceof Integer || value instanceof Long) {
      return true;
    }
    if (value instanceof Double d) {
      return d == Math.rint(d) && Math.abs(d) < 0x1p52;
    }
    return false;
  }
}
