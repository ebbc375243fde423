package io.switchboard.core.store;

/** An index of the embedded store on a map of its own in the file ({@link BsonUniqueIndex}, {@link BsonSecondaryIndex}). */
interface StoredIndex {

  /**
   * Takes the index's map out of the file: after a build from the documents failed, so that the next open
   * does not take a stored map for a complete one ({@link JournaledCollection#addIndex}).
   */
  void removeMap();
}
