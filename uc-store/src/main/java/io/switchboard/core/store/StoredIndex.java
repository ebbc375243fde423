package io.switchboard.core.store;

import de.bwaldvogel.mongo.backend.KeyValue;
import org.h2.mvstore.MVMap;

/**
 * An index of the embedded store on a map of its own in the file ({@link BsonUniqueIndex}, {@link BsonSecondaryIndex}),
 * built by its collection ({@link JournaledCollection#addIndex}) unless the map is marked built ({@link IndexBuilds}).
 */
interface StoredIndex {

  /** The index's map in the file. */
  MVMap<KeyValue, Object> map();
}
