package io.switchboard.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.account.UserAccounts;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.health.Health;
import io.switchboard.core.store.MongoStore;
import io.switchboard.core.store.MongoUserStore;
import io.switchboard.core.testing.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.multipart.MultipartForm;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console without TLS (the default): plain HTTP as before (no HSTS, no {@code Secure} cookie),
 * and request bodies that never reach the disk: multipart uploads to the API are refused unread
 * with a JSON 415, on one kept-alive connection, and leave no file holding their bytes.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class PlainHttpBodiesTest {

  private Vertx vertx;
  private MongoStore store;
  private WebConsole web;
  private Path dir;

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) throws Exception {
    this.vertx = vertx;
    this.dir = dir;
    SwitchboardConfig config = TestConfigs.loopback(dir, 0, 0, Map.of());
    store = vertx.executeBlocking(() -> MongoStore.open(config.store())).await();
    MongoUserStore users = new MongoUserStore(vertx, store);
    vertx.executeBlocking(() -> {
      users.createIndexes();
      return null;
    }).await();
    UserAccounts accounts = new UserAccounts(vertx, users, config.sip().domain());
    accounts.ensureAdmin(java.util.Optional.of("admin-password-1")).await();
    web = new WebConsole(config.web(), config.tls(), new Health(), accounts);
    vertx.deployVerticle(web).await();
  }

  @AfterEach
  void stop() {
    vertx.executeBlocking(() -> {
      store.close();
      return null;
    }).await();
  }

  @Test
  void plainHttpAsBeforeAndNoUploadReachesTheDisk() throws Exception {
    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(web.actualPort()).setKeepAlive(true));
    assertTrue(web.url().startsWith("http://127.0.0.1:"), web.url());
    HttpResponse<Buffer> login = client.post("/api/login").sendJsonObject(new JsonObject().put("username", "admin")
        .put("password", "admin-password-1")).await();
    assertEquals(200, login.statusCode(), login.bodyAsString());
    assertNull(login.getHeader("Strict-Transport-Security"));
    String cookie = login.cookies().get(0).toLowerCase();
    assertTrue(cookie.contains("httponly") && cookie.contains("samesite=strict") && !cookie.contains("secure"), cookie);

    long since = System.currentTimeMillis() - 2_000;
    String marker = "SWITCHBOARD-UPLOAD-" + UUID.randomUUID();
    Buffer content = Buffer.buffer(marker.repeat(150 * 1024 / marker.length() + 1));
    for (String path : new String[] {"/api/login", "/api/login", "/api/users", "/api/import"}) {
      HttpResponse<Buffer> r = client.post(path).sendMultipartForm(MultipartForm.create().attribute("username", marker)
          .binaryFileUpload("file", "big.bin", content, "application/octet-stream")).await();
      assertEquals(415, r.statusCode(), path + ": " + r.bodyAsString());
      assertEquals("unsupported-media-type", r.bodyAsJsonObject().getString("error"));
    }
    List<Path> holding = new ArrayList<>();
    for (Path root : List.of(Path.of("").toAbsolutePath(), Path.of(System.getProperty("java.io.tmpdir")), dir)) {
      holding.addAll(filesHolding(root, marker, since));
    }
    assertEquals(List.of(), holding, "request bodies written to disk");
  }

  /** Files changed since {@code since} that contain {@code marker}: what a spooled upload would leave. */
  private static List<Path> filesHolding(Path root, String marker, long since) throws IOException {
    byte[] needle = marker.getBytes(StandardCharsets.US_ASCII);
    List<Path> found = new ArrayList<>();
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        if (attrs.isRegularFile() && attrs.lastModifiedTime().toMillis() >= since && attrs.size() >= needle.length
            && attrs.size() < 64L * 1024 * 1024) {
          try {
            if (new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains(marker)) {
              found.add(file);
            }
          } catch (IOException unreadable) {
            // another user's file, or gone already
          }
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) {
        return FileVisitResult.CONTINUE;
      }
    });
    return found;
  }
}
