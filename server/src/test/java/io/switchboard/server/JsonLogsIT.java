package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.testing.FreePorts;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar with {@code log.format=json}: every line it writes is a JSON object with the fields
 * (time, level, logger, thread, message, context); a log level set over the admin API takes effect at
 * once; users other than admins are refused.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class JsonLogsIT {

  private static final Path JAR = Path.of("target", "switchboard.jar");

  /** Every line of the output, parsed; lines that are not JSON objects are kept apart. */
  private final List<JsonObject> lines = new CopyOnWriteArrayList<>();
  private final List<String> notJson = new CopyOnWriteArrayList<>();
  private final List<Awaited> waiting = new CopyOnWriteArrayList<>();

  private record Awaited(Predicate<JsonObject> test, CompletableFuture<JsonObject> found) {
  }

  private int web;

  @Test
  void everyLineIsJsonAndLevelsChangeAtRunTimeForAdminsOnly(@TempDir Path dir) throws Exception {
    int sip = FreePorts.udpAndTcp();
    web = FreePorts.udpAndTcp();
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", JAR.toAbsolutePath().toString());
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("SWITCHBOARD_"));
    pb.environment().putAll(java.util.Map.of("SWITCHBOARD_LOG_FORMAT", "json",
        "SWITCHBOARD_SIP_PORT", String.valueOf(sip), "SWITCHBOARD_WEB_PORT", String.valueOf(web),
        "SWITCHBOARD_SIP_BIND_ADDRESS", "127.0.0.1", "SWITCHBOARD_WEB_BIND_ADDRESS", "127.0.0.1",
        "SWITCHBOARD_PROVISIONING_PORT", "0", "SWITCHBOARD_PROVISIONING_BIND_ADDRESS", "127.0.0.1"));
    Process p = pb.start();
    CompletableFuture<Void> ended = new CompletableFuture<>();
    Thread follower = new Thread(() -> follow(p, ended), "switchboard-output");
    follower.start();
    try {
      JsonObject up = await(l -> "Switchboard is up".equals(l.getString("message")), 90);
      assertEquals("INFO", up.getString("level"));
      assertEquals(Main.class.getName(), up.getString("logger"));
      assertNotNull(Instant.parse(up.getString("time")), "ISO-8601");
      assertTrue(up.getString("time").endsWith("Z"), "UTC: " + up);
      assertFalse(up.getString("thread", "").isEmpty(), up.encode());
      JsonObject where = up.getJsonObject("context");
      assertEquals("udp+tcp 127.0.0.1:" + sip, where.getString("sip"), up.encode());
      assertEquals("http://127.0.0.1:" + web + "/", where.getString("web"), up.encode());
      assertTrue(where.getString("store").startsWith("embedded in "), up.encode());
      // A line of our own text style: its bracketed keys became the context.
      JsonObject listening = await(l -> "Web console listening".equals(l.getString("message")), 5);
      assertEquals("http://127.0.0.1:" + web, listening.getJsonObject("context").getString("url"), listening.encode());
      JsonObject password = await(l -> l.getString("message", "").contains("Password:"), 5);
      assertEquals("INFO", password.getString("level"), "the one-time admin password, as JSON too");

      HttpClient admin = client();
      String adminPassword = password.getString("message").replaceFirst("(?s).*Password: (\\S+).*", "$1");
      assertEquals(200, send(admin, "POST", "/api/login",
          new JsonObject().put("username", "admin").put("password", adminPassword)).statusCode());
      assertEquals(201, send(admin, "POST", "/api/users",
          new JsonObject().put("username", "olga").put("password", "olga-web-pw")).statusCode());

      HttpClient olga = client();
      assertEquals(200, send(olga, "POST", "/api/login",
          new JsonObject().put("username", "olga").put("password", "olga-web-pw")).statusCode());
      for (HttpResponse<String> refused : List.of(send(olga, "GET", "/api/admin/log-levels", null),
          send(olga, "PUT", "/api/admin/log-levels", new JsonObject().put("logger", "ROOT").put("level", "TRACE")))) {
        assertEquals(403, refused.statusCode(), refused.body());
        assertEquals("forbidden", new JsonObject(refused.body()).getString("error"), refused.body());
      }

      // Before: the web console's DEBUG line for an API 404 is not written.
      assertEquals(404, send(admin, "GET", "/api/before-the-change", null).statusCode());
      HttpResponse<String> levels = send(admin, "GET", "/api/admin/log-levels", null);
      assertEquals(200, levels.statusCode(), levels.body());
      assertTrue(levels.body().contains("\"ROOT\""), levels.body());
      assertFalse(levels.body().contains("TRACE"), "olga's PUT changed nothing: " + levels.body());

      HttpResponse<String> bad = send(admin, "PUT", "/api/admin/log-levels",
          new JsonObject().put("logger", "io.switchboard.web").put("level", "LOUD"));
      assertEquals(400, bad.statusCode(), bad.body());
      assertEquals("level", new JsonObject(bad.body()).getString("field"), bad.body());
      bad = send(admin, "PUT", "/api/admin/log-levels", new JsonObject().put("level", "DEBUG"));
      assertEquals(400, bad.statusCode(), bad.body());
      assertEquals("logger", new JsonObject(bad.body()).getString("field"), bad.body());

      HttpResponse<String> set = send(admin, "PUT", "/api/admin/log-levels",
          new JsonObject().put("logger", "io.switchboard.web").put("level", "debug"));
      assertEquals(200, set.statusCode(), set.body());
      assertTrue(new JsonObject(set.body()).getJsonArray("levels").stream().map(JsonObject.class::cast)
          .anyMatch(l -> l.getString("logger").equals("io.switchboard.web") && l.getString("level").equals("DEBUG")), set.body());
      JsonObject changed = await(l -> "Log level changed".equals(l.getString("message")), 10);
      assertEquals("io.switchboard.web", changed.getJsonObject("context").getString("logger"), changed.encode());
      assertEquals("DEBUG", changed.getJsonObject("context").getString("level"), changed.encode());

      // After: it is.
      assertEquals(404, send(admin, "GET", "/api/after-the-change", null).statusCode());
      JsonObject debug = await(l -> "DEBUG".equals(l.getString("level")) && l.encode().contains("/api/after-the-change"), 10);
      assertEquals("io.switchboard.web.ApiFailureHandler", debug.getString("logger"), debug.encode());
      assertFalse(lines.stream().anyMatch(l -> l.encode().contains("/api/before-the-change")),
          "no DEBUG line before the change: " + lines);

      HttpResponse<String> events = send(admin, "GET", "/api/security/events", null);
      assertTrue(events.body().contains("set log level of io.switchboard.web to DEBUG"), events.body());
      assertEquals(1, lines.stream().filter(l -> "switchboard.security".equals(l.getString("logger"))
          && l.encode().contains("set log level of io.switchboard.web")).count(), "one ADMIN_CHANGE line: " + lines);
    } finally {
      p.toHandle().destroy();
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "stops on SIGTERM");
      ended.get(10, TimeUnit.SECONDS);
    }
    assertTrue(lines.stream().anyMatch(l -> "Stopping".equals(l.getString("message"))), "the shutdown is logged too");
    assertEquals(List.of(), notJson, "every line is a JSON object");
  }

  private void follow(Process p, CompletableFuture<Void> ended) {
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        JsonObject json;
        try {
          json = new JsonObject(line);
        } catch (DecodeException | ClassCastException e) {
          notJson.add(line);
          continue;
        }
        for (String field : List.of("time", "level", "logger", "thread", "message")) {
          if (!(json.getValue(field) instanceof String)) {
            notJson.add("no " + field + ": " + line);
          }
        }
        lines.add(json);
        for (Awaited a : waiting) {
          if (a.test().test(json)) {
            a.found().complete(json);
          }
        }
      }
    } catch (java.io.IOException e) {
      notJson.add("(output ended: " + e.getMessage() + ")");
    }
    ended.complete(null);
  }

  /** The first line, seen already or to come, that passes the test. */
  private JsonObject await(Predicate<JsonObject> test, int seconds) throws Exception {
    Awaited a = new Awaited(test, new CompletableFuture<>());
    waiting.add(a);
    lines.stream().filter(test).findFirst().ifPresent(a.found()::complete);
    try {
      return a.found().get(seconds, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no such line within " + seconds + " s; lines: " + lines + "; not JSON: " + notJson);
    } finally {
      waiting.remove(a);
    }
  }

  private static HttpClient client() {
    return HttpClient.newBuilder().cookieHandler(new CookieManager()).connectTimeout(java.time.Duration.ofSeconds(10)).build();
  }

  private HttpResponse<String> send(HttpClient client, String method, String path, JsonObject body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + web + path))
        .timeout(java.time.Duration.ofSeconds(30));
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body.encode()));
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
