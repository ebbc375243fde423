package io.switchboard.core.store;

import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.bson.Document;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * An index's key values for the common document, without mongo-java-server's general walk: when every
 * field of the index is a top-level name (no path) and no value is an array, the document has one
 * entry, its values in field order and normalised as the backend's own {@code Index#getKeyValues} does
 * ({@link KeyValue#normalized}: a missing field as null, numbers as the backend keeps them). The general
 * walk (path splitting, streams and a map per call, twice per index and insert) was most of the
 * indexes' cost on the MESSAGE path's history insert; arrays and paths still take it.
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
    List<Object> values = new ArrayList<>(fields.length);
    for (String field : fields) {
      Object value = document.getOrMissing(field);
      if (value instanceof Collection) {
        return null; // one entry per element, and parallel arrays refused: the general walk
      }
      values.add(value);
    }
    return new KeyValue(values).normalized();
  }
}
