package io.switchboard.im;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.im.FileRef;
import io.switchboard.core.files.StoredFile;
import io.switchboard.core.store.GridFsFileStore;
import io.switchboard.core.store.MongoStore;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.SettableClock;
import io.switchboard.core.testing.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files expire with their messages, in the real embedded store: a delivered one {@code im.file-max-age} after it
 * was sent, one still waiting for its recipient not before the message itself expires, an expired or never sent
 * one at the next sweep.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class FileExpiryTest {

  private static final Duration FILE_MAX_AGE = Duration.ofHours(2);
  private static final Duration STORE_MAX_AGE = Duration.ofHours(24);

  private Vertx vertx;
  private MongoStore mongo;
  private MongoMessageStore messages;
  private GridFsFileStore files;
  private final SettableClock clock = new SettableClock(Instant.now());
  private FileMessages fileMessages;
  private Path upload;

  @BeforeEach
  void open(Vertx vertx, @TempDir Path dir) throws Exception {
    this.vertx = vertx;
    var config = TestConfigs.loopback(dir, FreePorts.udpAndTcp(), 0, Map.of()).store();
    mongo = vertx.executeBlocking(() -> MongoStore.open(config)).await();
    messages = new MongoMessageStore(vertx, mongo);
    files = new GridFsFileStore(vertx, mongo);
    fileMessages = new FileMessages(vertx, null, null, null, messages, files, "http://127.0.0.1/", clock, FILE_MAX_AGE,
        STORE_MAX_AGE);
    upload = Files.writeString(dir.resolve("upload.txt"), "minutes of the meeting");
  }

  @AfterEach
  void close() {
    vertx.executeBlocking(() -> {
      mongo.close();
      return null;
    }).await();
  }

  /** A file sent from alice to {@code to} (or a room), with one message copy per entry of {@code copies}. */
  private StoredFile sent(String name, String room, Map<String, MessageState> copies) {
    StoredFile f = files.save(upload, name, "text/plain", "alice").await();
    String conversation = room == null ? StoredMessage.conversationOf("alice", copies.keySet().iterator().next())
        : "room:" + room;
    files.share(f.id(), conversation, List.of("alice", "bob")).await();
    FileRef ref = new FileRef(f.id(), f.name(), f.size(), f.type(), fileMessages.link(f));
    copies.forEach((to, state) -> messages.insert(new StoredMessage(name + "/" + to, "alice", "Alice", to, room,
        conversation, "text/plain", name.getBytes(StandardCharsets.UTF_8), name, state, f.createdAt(), null, 0, ref))
        .await());
    return f;
  }

  private boolean kept(StoredFile f) {
    return files.find(f.id()).await().isPresent();
  }

  @Test
  void filesGoWhenTheirMessagesAllowIt() {
    StoredFile delivered = sent("delivered", null, Map.of("bob", MessageState.DELIVERED));
    StoredFile waiting = sent("waiting", null, Map.of("carol", MessageState.STORED));
    StoredFile expired = sent("expired", null, Map.of("dave", MessageState.EXPIRED));
    StoredFile roomWaiting = sent("room", "lunch", Map.of("alice", MessageState.DELIVERED, "bob", MessageState.STORED));
    StoredFile neverSent = files.save(upload, "orphan.txt", "text/plain", "alice").await();

    assertEquals(0, fileMessages.sweep().await(), "nothing is old enough yet");
    clock.advance(FILE_MAX_AGE.minusMinutes(1));
    assertEquals(0, fileMessages.sweep().await(), "a delivered file lives im.file-max-age");
    assertTrue(kept(delivered));

    clock.advance(Duration.ofMinutes(2));
    assertEquals(3, fileMessages.sweep().await());
    assertTrue(!kept(delivered) && !kept(expired) && !kept(neverSent));
    assertTrue(kept(waiting), "its message still waits for carol");
    assertTrue(kept(roomWaiting), "a member's copy still waits (the sender's own copy does not count)");
    assertEquals(FileRef.class, messages.withFile("room:lunch", roomWaiting.id()).await().get(0).file().getClass(),
        "the message keeps its file's description");
  }
}
