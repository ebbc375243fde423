package io.switchboard.core.store;

import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.files.FileContent;
import io.switchboard.core.files.StoredFile;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;

/**
 * What a file costs in the embedded store: {@code RUNS} files of {@code BYTES} each (default 3 × 25 MiB of random,
 * incompressible bytes) saved through GridFS and read back chunk by chunk, the time of each and the store's size on disk.
 * Run by hand (not a test): {@code java -cp <test classpath> io.switchboard.core.store.GridFsFileStoreBench}.
 */
public final class GridFsFileStoreBench {

  private GridFsFileStoreBench() {
  }

  public static void main(String[] args) throws Exception {
    int bytes = Integer.getInteger("BYTES", 25 * 1024 * 1024);
    int runs = Integer.getInteger("RUNS", 3);
    Path dir = Files.createTempDirectory("gridfs-bench");
    Vertx vertx = Vertx.vertx();
    MongoStore store = MongoStore.open(new SwitchboardConfig.Store(dir, Optional.empty(), "switchboard"));
    try {
      GridFsFileStore files = new GridFsFileStore(vertx, store);
      byte[] content = new byte[bytes];
      new Random(1).nextBytes(content);
      Path upload = Files.write(dir.resolve("upload.bin"), content);
      for (int i = 0; i < runs; i++) {
        long t0 = System.nanoTime();
        StoredFile f = files.save(upload, "file-" + i + ".bin", "application/octet-stream", "bench")
            .toCompletionStage().toCompletableFuture().get();
        long t1 = System.nanoTime();
        FileContent reading = files.open(f.id()).toCompletionStage().toCompletableFuture().get();
        long back = 0;
        for (int n; (n = reading.next().toCompletionStage().toCompletableFuture().get().length()) > 0; ) {
          back += n;
        }
        reading.close();
        long t2 = System.nanoTime();
        if (back != bytes) {
          throw new IllegalStateException("read back " + back + " bytes");
        }
        System.out.printf("run %d: %d bytes saved (durable) in %d ms, read back in %d ms%n", i + 1, bytes,
            (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
      }
    } finally {
      store.close();
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
    try (var walk = Files.walk(dir)) {
      long disk = walk.filter(p -> !p.getFileName().toString().equals("upload.bin")).filter(Files::isRegularFile)
          .mapToLong(p -> p.toFile().length()).sum();
      System.out.printf("store on disk: %d bytes for %d × %d bytes of files (%.2f ×)%n", disk, runs, bytes,
          disk / (double) ((long) runs * bytes));
    }
  }
}
