package io.switchboard.core.store;

import java.nio.file.Files;
import java.nio.file.Path;
import org.h2.mvstore.MVStore;

/**
 * Compacts an embedded store's file once, fully, as the server's compactor does 2 MB a second: a
 * data set written in bulk (bench/scale.sh) leaves many half-empty chunks, whose rewriting would
 * otherwise take most of the CPU of the first minutes after each start. Not a test.
 *
 * <pre>CompactStore &lt;data-dir&gt;</pre>
 */
public final class CompactStore {

  public static void main(String[] args) {
    Path file = Path.of(args[0]).resolve("switchboard.mv");
    long before = size(file);
    long began = System.nanoTime();
    MVStore mvStore = EmbeddedMongo.openTuned(file, true);
    StoreFileFormat.requireBson(mvStore);
    BsonH2Backend backend = new BsonH2Backend(mvStore); // opens every map with its BSON types
    mvStore.compactFile(600_000);
    backend.close();
    System.out.printf("scale: store file compacted: %,d -> %,d bytes in %.1f s%n", before, size(file),
        (System.nanoTime() - began) / 1e9);
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (java.io.IOException e) {
      return -1;
    }
  }
}
