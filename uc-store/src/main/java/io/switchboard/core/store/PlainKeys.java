package io.switchboard.core.store;

import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.bson.Document;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * An index's key values for the common document, without mongo-java-server's general walk: when every
 * field of the index is a top-level name (no path) and no value is an array, the document has one
 * entry, its values in field order and normalised as the backend's own {@code Index#getKeyValues} does
 * (a missing field as null, numbers as the backend keeps them; sub-documents by {@link KeyValue#normalized}).
 * The general walk (path splitting, streams and a map per call, twice per index and insert) was most of
 * the indexes' cost on the MESSAGE path's history insert; arrays and paths still take it.
 */
final class PlainKeys {

  /** The index's field names, or null when one is a path into a sub-document. */
  private final String[] fields;

  PlainKeys(List<IndexKey> keys) {
    String[] names = new String[keys.size()];
    for (int i = 0; i < names.length; i++) {
      names[i] = keys.get(i).getKey();
      if (names[i].contains(".")) {
        names = null;
        break;
      }
    }
    this.fields = names;
  }

  /** The document's one entry, or null when the general walk must decide (a path, an array value). */
  KeyValue of(Document document) {
    if (fields == null) {
      return null;
    }
    Object[] values = new Object[fields.length];
    for (int i = 0; i < fields.length; i++) {
      Object value = document.getOrMissing(fields[i]);
      if (value instanceof Collection) {
        return null; // one entry per element, and parallel arrays refused: the general walk
      }
      if (value instanceof Map) {
        return subDocuments(document);
      }
      values[i] = normalised(value);
    }
    return new KeyValue(values);
  }

  /** A sub-document among the values: every value as it is, normalised by the backend. */
  private KeyValue subDocuments(Document document) {
    Object[] values = new Object[fields.length];
    for (int i = 0; i < fields.length; i++) {
      values[i] = document.getOrMissing(fields[i]);
    }
    return new KeyValue(values).normalized();
  }

  /**
   * A value that is neither an array nor a sub-document as the backend normalises it ({@code
   * Utils#normalizeValue}, not public): missing as null; a number as its double (-0 as 0), but a long that
   * no double holds stays that long; anything else as it is.
   */
  private static Object normalised(Object value) {
    if (value == null || value instanceof Missing) {
      return null;
    }
    if (value instanceof Long l && l.longValue() != (long) l.doubleValue()) {
      return l;
    }
    if (value instanceof Number n) {
      double d = n.doubleValue();
      return d == -0.0 ? 0.0 : d; // == is true for 0.0 too: either way 0.0, as the backend does
    }
    return value;
  }
}
