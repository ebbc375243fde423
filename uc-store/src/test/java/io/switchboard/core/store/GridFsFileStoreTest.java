package io.switchboard.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.files.FileContent;
import io.switchboard.core.files.StoredFile;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** GridFS through the driver's bucket on the real embedded store: bytes, description, sharing, deletion, restart. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class GridFsFileStoreTest {

  private Vertx vertx;
  private SwitchboardConfig.Store config;
  private MongoStore store;
  private GridFsFileStore files;
  private Path dir;

  @BeforeEach
  void open(Vertx vertx, @TempDir Path dir) throws Exception {
    this.vertx = vertx;
    this.dir = dir;
    this.config = TestConfigs.loopback(dir, FreePorts.udpAndTcp(), 0, Map.of()).store();
    openStore();
  }

  private void openStore() {
    vertx.executeBlocking(() -> {
      store = MongoStore.open(config);
      files = new GridFsFileStore(vertx, store);
      return null;
    }).await();
  }

  @AfterEach
  void close() {
    MongoStore s = store;
    vertx.executeBlocking(() -> {
      s.close();
      return null;
    }).await();
  }

  @Test
  void aFileOfManyChunksComesBackTheSameAfterARestart() throws Exception {
    byte[] bytes = new byte[700_000]; // three GridFS chunks
    new Random(7).nextBytes(bytes);
    Path upload = Files.write(dir.resolve("upload.bin"), bytes);
    StoredFile saved = files.save(upload, "report.pdf", "application/pdf", "alice").await();
    assertEquals(22, saved.id().length());
    assertEquals(22, saved.token().length());
    assertNotEquals(saved.id(), saved.token());
    assertEquals("application/octet-stream", saved.type(), "not a PDF by its first bytes");
    assertEquals(700_000, saved.size());
    files.share(saved.id(), "alice|bob", List.of("alice", "bob")).await();

    close();
    openStore();
    StoredFile found = files.find(saved.id()).await().orElseThrow();
    assertEquals("report.pdf", found.name());
    assertEquals(saved.token(), found.token());
    assertEquals("alice|bob", found.conversation());
    assertEquals(List.of("alice", "bob"), found.participants());
    FileContent content = files.open(saved.id()).await();
    java.io.ByteArrayOutputStream read = new java.io.ByteArrayOutputStream();
    List<Integer> chunkSizes = new java.util.ArrayList<>();
    for (io.vertx.core.buffer.Buffer chunk = content.next().await(); chunk.length() > 0; chunk = content.next().await()) {
      chunkSizes.add(chunk.length());
      read.writeBytes(chunk.getBytes());
    }
    content.close();
    assertEquals(List.of(261_120, 261_120, 177_760), chunkSizes, "one GridFS chunk per read");
    assertArrayEquals(bytes, read.toByteArray());
    assertEquals(1, files.createdBefore(Instant.now().plusSeconds(1), 10).await().size());
    assertEquals(0, files.createdBefore(saved.createdAt().minusSeconds(60), 10).await().size());
  }

  @Test
  void deletingAnOwnerDeletesTheirFilesAndTheirChunks() throws Exception {
    Path png = Files.write(dir.resolve("a.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0});
    StoredFile alices = files.save(png, "a.png", "image/png", "alice").await();
    assertEquals("image/png", alices.type());
    StoredFile bobs = files.save(png, "b.png", "image/png", "bob").await();
    assertEquals(1, files.deleteOwnedBy("alice").await());
    assertTrue(files.find(alices.id()).await().isEmpty());
    assertTrue(files.find(bobs.id()).await().isPresent());
    long chunks = vertx.executeBlocking(() -> store.database().getCollection("files.chunks")
        .countDocuments(com.mongodb.client.model.Filters.eq("files_id", alices.id()))).await();
    assertEquals(0, chunks);
    StoreException gone = (StoreException) org.junit.jupiter.api.Assertions.assertThrows(
        java.util.concurrent.CompletionException.class, () -> files.open(alices.id()).toCompletionStage()
            .toCompletableFuture().join()).getCause();
    assertEquals(StoreException.Kind.NOT_FOUND, gone.kind());
  }
}
