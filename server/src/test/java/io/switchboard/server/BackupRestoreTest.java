package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoDatabase;
import io.switchboard.core.backup.BackupManifest;
import io.switchboard.core.backup.BackupRestore;
import io.switchboard.api.EventAddresses;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.Sipp;
import io.switchboard.core.testing.SippTrace;
import io.switchboard.core.testing.TestConfigs;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClientSession;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup taken over the API while SIPp sends messages is restored by the restore command into a
 * fresh data directory, and a second server on it has every user and every message that was answered
 * before the backup began, and lets a phone register with its old credentials; scheduled backups.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 300, timeUnit = TimeUnit.SECONDS)
class BackupRestoreTest {

  private static final int MESSAGES = 40;

  @TempDir
  Path dir;

  @Test
  void aBackupUnderMessageLoadIsRestoredWholeIntoAFreshDataDir(Vertx vertx) throws Exception {
    Path dataA = dir.resolve("a");
    Path archive = dir.resolve("backup.zip");
    int sipA = FreePorts.udpAndTcp();
    Switchboard a = new Switchboard(vertx, TestConfigs.loopback(dataA, sipA, 0,
        Map.of("admin.password", "admin-password", "im.fork-timeout", "3")), s -> { });
    Map<String, Document> usersAtBackup;
    Map<String, Document> messagesAtBackup;
    Set<String> messagesInTheEnd;
    try {
      a.start().await();
      WebClientSession admin = Api.login(vertx, a, "admin", "admin-password");
      Api.createUsers(admin, new String[] {"alice", "1001"}, new String[] {"bob", "1002"}, new String[] {"carol", "1003"});
      int devicePort = FreePorts.udpAndTcp();
      Sipp.Running bobPhone = Sipp.device("receive-message.xml", devicePort, MESSAGES).start();
      Sipp.Result registered = Sipp.scenario("register-device.xml", sipA).key("domain", "switchboard.test")
          .key("aor", "bob").key("contact", "bob-desk").key("device", "127.0.0.1:" + devicePort)
          .key("accept", "text/plain").auth("bob", "bob-sip-pw").run();
      assertTrue(registered.passed(), registered::toString);

      // Messages announced on the bus once written: the backup starts after ten, with the rest arriving.
      Promise<Void> tenAnswered = Promise.promise();
      AtomicInteger announced = new AtomicInteger();
      MessageConsumer<Object> counter = vertx.eventBus().consumer(EventAddresses.IM_MESSAGE, m -> {
        if (announced.incrementAndGet() == 10) {
          tenAnswered.tryComplete();
        }
      });
      Sipp.Running toBob = send("alice", "bob", sipA);
      Sipp.Running toCarol = send("alice", "carol", sipA); // carol has no phone: stored, 202
      tenAnswered.future().await(120, TimeUnit.SECONDS);
      counter.unregister().await();

      // A message is written before its 200 or 202: what the store holds now covers every answered one.
      MongoDatabase storeA = a.store().database();
      usersAtBackup = byId(storeA, "users", "username");
      messagesAtBackup = byId(storeA, "messages", "_id");
      assertTrue(messagesAtBackup.size() >= 10, "messages before the backup: " + messagesAtBackup.size());
      HttpResponse<Buffer> backup = admin.get("/api/backup").send().await();
      assertEquals(200, backup.statusCode(), backup.bodyAsString());
      assertEquals("application/octet-stream", backup.getHeader("Content-Type"));
      assertTrue(backup.getHeader("Content-Disposition").matches("attachment; filename=\"switchboard-backup-\\d{8}T\\d{9}Z\\.zip\""),
          backup.getHeader("Content-Disposition"));
      Files.write(archive, backup.body().getBytes());
      Api.assertError(Api.login(vertx, a, "alice", "alice-web-pw").get("/api/backup").send().await(), 403, null);

      for (Sipp.Running sender : List.of(toBob, toCarol)) {
        Sipp.Result sent = sender.await();
        assertTrue(sent.passed(), sent::toString);
      }
      assertTrue(bobPhone.await().passed(), "bob's phone took every message");
      messagesInTheEnd = byId(storeA, "messages", "_id").keySet();
      assertEquals(2 * MESSAGES, messagesInTheEnd.size(), "every message sent was stored");
    } finally {
      a.stop().await();
    }

    try (ZipFile zip = new ZipFile(archive.toFile())) {
      BackupManifest manifest = BackupRestore.manifestOf(zip);
      assertEquals(BackupManifest.FORMAT, manifest.format());
      assertEquals("embedded", manifest.store());
      assertEquals(4L, manifest.counts().get("users"), "admin, alice, bob, carol");
      assertTrue(manifest.counts().keySet().containsAll(List.of("users", "messages", "bindings")), manifest.counts().toString());
    }

    // Restored by the command into a fresh data dir; a second restore is refused, then forced.
    Path dataB = dir.resolve("b");
    Path config = dir.resolve("b.properties");
    Files.writeString(config, "data.dir=" + dataB + "\n");
    Restore first = restore(archive.toString(), "--config", config.toString());
    assertEquals(RestoreCommand.RESTORED, first.code, first.toString());
    Restore again = restore(archive.toString(), "--config", config.toString());
    assertEquals(RestoreCommand.NOT_EMPTY, again.code, again.toString());
    assertTrue(again.err.contains("not empty") && again.err.contains("--force"), again.err);
    Restore forced = restore(archive.toString(), "--force", "--config", config.toString());
    assertEquals(RestoreCommand.RESTORED, forced.code, forced.toString());
    Path truncated = dir.resolve("truncated.zip");
    byte[] whole = Files.readAllBytes(archive);
    Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length / 2));
    Restore broken = restore(truncated.toString(), "--force", "--config", config.toString());
    assertEquals(RestoreCommand.BAD_ARCHIVE, broken.code, broken.toString());

    int sipB = FreePorts.udpAndTcp();
    Switchboard b = new Switchboard(vertx, TestConfigs.loopback(dataB, sipB, 0, Map.of("im.fork-timeout", "3")), s -> { });
    try {
      b.start().await();
      MongoDatabase storeB = b.store().database();
      Map<String, Document> users = byId(storeB, "users", "username");
      assertEquals(usersAtBackup.keySet(), users.keySet());
      for (var user : usersAtBackup.entrySet()) {
        assertEquals(user.getValue(), users.get(user.getKey()), "user " + user.getKey());
      }
      Map<String, Document> messages = byId(storeB, "messages", "_id");
      for (var message : messagesAtBackup.entrySet()) {
        assertEquals(message.getValue(), messages.get(message.getKey()), "message " + message.getKey());
      }
      assertTrue(messagesInTheEnd.containsAll(messages.keySet()), "nothing in the backup that was never sent");

      Sipp.Result register = Sipp.scenario("register.xml", sipB).key("domain", "switchboard.test").key("aor", "bob")
          .key("contact", "bob-desk").key("expires", "300").auth("bob", "bob-sip-pw").run();
      assertTrue(register.passed(), register::toString);
      assertEquals(200, SippTrace.lastStatus(register.messages()), register::toString);
      WebClientSession alice = Api.login(vertx, b, "alice", "alice-web-pw");
      long toCarolBefore = messagesAtBackup.values().stream().filter(m -> "carol".equals(m.getString("to"))).count();
      int history = alice.get("/api/messages").addQueryParam("with", "carol").addQueryParam("limit", "100").send().await()
          .bodyAsJsonObject().getJsonArray("messages").size();
      assertTrue(history >= toCarolBefore, "alice's history with carol: " + history + " of " + toCarolBefore);
    } finally {
      b.stop().await();
    }
  }

  @Test
  void scheduledBackupsAppearAndOldOnesArePruned(Vertx vertx) throws Exception {
    Path backups = dir.resolve("backups");
    Files.createDirectories(backups);
    List<String> old = List.of("switchboard-backup-20200101T000000000Z.zip", "switchboard-backup-20200102T000000000Z.zip",
        "switchboard-backup-20200103T000000000Z.zip");
    for (String name : old) {
      Files.writeString(backups.resolve(name), "an old archive");
    }
    Files.writeString(backups.resolve(".switchboard-backup-20200104T000000000Z.zip.partial"), "a crash's leftover");
    Files.writeString(backups.resolve("notes.txt"), "not ours");
    Switchboard s = new Switchboard(vertx, TestConfigs.loopback(dir.resolve("data"), FreePorts.udpAndTcp(), 0,
        Map.of("admin.password", "admin-password", "backup.dir", backups.toString(), "backup.interval", "1s",
            "backup.keep", "2")), line -> { });
    try (WatchService watch = FileSystems.getDefault().newWatchService()) {
      backups.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE);
      s.start().await();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      List<String> archives = archives(backups);
      while (!(archives.size() == 2 && archives.stream().noneMatch(old::contains)) && System.nanoTime() < deadline) {
        var key = watch.poll(5, TimeUnit.SECONDS); // the next file created or removed
        if (key != null) {
          key.pollEvents();
          key.reset();
        }
        archives = archives(backups);
      }
      assertEquals(2, archives.size(), archives.toString());
      assertTrue(archives.stream().noneMatch(old::contains), "the old ones pruned: " + archives);
      assertTrue(Files.exists(backups.resolve("notes.txt")), "other files are left alone");
      assertFalse(Files.exists(backups.resolve(".switchboard-backup-20200104T000000000Z.zip.partial")), "leftover removed");
      try (ZipFile zip = new ZipFile(backups.resolve(archives.get(0)).toFile())) {
        BackupManifest manifest = BackupRestore.manifestOf(zip);
        assertEquals(1L, manifest.counts().get("users"), "admin");
      }
    } finally {
      s.stop().await();
    }
  }

  private static List<String> archives(Path dir) throws java.io.IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("switchboard-backup-.*\\.zip")).sorted()
          .collect(Collectors.toList());
    }
  }

  private static Sipp.Running send(String from, String to, int sipPort) throws java.io.IOException {
    return Sipp.scenario("send-message.xml", sipPort).key("domain", "switchboard.test").key("from", from).key("to", to)
        .key("ctype", "text/plain").key("body", "a note to " + to).auth(from, from + "-sip-pw")
        .calls(MESSAGES).start();
  }

  /** Every document of a collection, by one of its fields; blocking (the test's thread). */
  private static Map<String, Document> byId(MongoDatabase db, String collection, String field) {
    Map<String, Document> out = new HashMap<>();
    for (Document d : db.getCollection(collection).find()) {
      out.put(String.valueOf(d.get(field)), d);
    }
    return out;
  }

  private record Restore(int code, String out, String err) {
  }

  private static Restore restore(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = new RestoreCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8)).run(args, Map.of());
    return new Restore(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
