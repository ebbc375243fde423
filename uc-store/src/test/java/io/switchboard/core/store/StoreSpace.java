package io.switchboard.core.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * Where an embedded store's file spends its bytes: per map (documents, each index) its entries and the
 * bytes its live pages take on disk, and how much of the file is live at all. Opens the file as the
 * server does, without writing to it; run it on a stopped server's data dir. Not a test.
 *
 * <pre>StoreSpace &lt;data-dir&gt;</pre>
 */
public final class StoreSpace {

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]).resolve("switchboard.mv");
    long fileBytes = Files.size(file);
    MVStore mvStore = new MVStore.Builder().fileName(file.toString()).readOnly().cacheSize(64).open();
    BsonH2Backend backend = new BsonH2Backend(mvStore); // opens every map with its BSON types
    System.out.printf("%-58s %12s %14s %10s%n", "map", "entries", "disk bytes", "B/entry");
    long live = 0;
    for (String name : mvStore.getMapNames().stream().sorted(Comparator.naturalOrder()).toList()) {
      MVMap<Object, Object> map = mvStore.openMap(name);
      long entries = map.sizeAsLong();
      long bytes = map.getRootPage().getDiskSpaceUsed(false);
      live += bytes;
      if (entries > 0) {
        System.out.printf("%-58s %,12d %,14d %10.1f%n", name, entries, bytes, (double) bytes / entries);
      }
    }
    System.out.printf("file %,d bytes, live pages %,d bytes (%.0f %%), fill rate %d %%%n", fileBytes, live,
        100.0 * live / fileBytes, mvStore.getFillRate());
    backend.close();
  }
}
