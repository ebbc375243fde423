package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.EventAddresses;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.WebClientSession;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The web console, the API, the live WebSocket and the provisioning port over HTTPS, with a
 * throwaway certificate made by openssl, against real TLS clients: Python's ssl module and
 * http.client ({@code tls/probe.py}), {@code openssl s_client} and headless Chromium. One server for
 * the class; the certificate reload runs last (it changes the certificate the others see).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 240, timeUnit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TlsWebTest {

  private static final long PROCESS_SECONDS = 60;
  private static Vertx vertx;
  private static Path dir;
  private static Path cert;
  private static Path key;
  /** What the Python client trusts: the first certificate, then the second as well. */
  private static Path trusted;
  private static Path probe;
  private static Switchboard switchboard;
  private static int tlsSipPort;

  @BeforeAll
  static void start(Vertx v) throws Exception {
    vertx = v;
    dir = Files.createTempDirectory("tls-web-test");
    cert = dir.resolve("cert.pem");
    key = dir.resolve("key.pem");
    certificate(cert, key, 4097); // serial 0x1001
    trusted = dir.resolve("trusted.pem");
    Files.copy(cert, trusted);
    probe = dir.resolve("probe.py");
    try (var in = TlsWebTest.class.getResourceAsStream("/tls/probe.py")) {
      Files.copy(in, probe);
    }
    tlsSipPort = FreePorts.udpAndTcp();
    Map<String, String> settings = new HashMap<>(Map.of("admin.password", "admin-password",
        "tls.cert", cert.toString(), "tls.key", key.toString(), "sip.tls-port", String.valueOf(tlsSipPort)));
    switchboard = new Switchboard(vertx, TestConfigs.loopback(dir, FreePorts.udpAndTcp(), 0, settings),
        s -> { });
    switchboard.start().await();
  }

  @AfterAll
  static void stop() throws Exception {
    if (switchboard != null) {
      switchboard.stop().await();
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** A throwaway EC certificate for 127.0.0.1 and localhost. */
  private static void certificate(Path certFile, Path keyFile, int serial) throws Exception {
    String out = run(List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-keyout", keyFile.toString(), "-out", certFile.toString(), "-days", "2", "-subj", "/CN=localhost",
        "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-set_serial", String.valueOf(serial)));
    assertTrue(Files.size(certFile) > 0 && Files.size(keyFile) > 0, out);
  }

  /** Runs a client process to its end (bounded), returning stdout; stderr goes to the test log. */
  private static String run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    p.getOutputStream().close();
    byte[] out;
    try (var in = p.getInputStream()) {
      out = in.readAllBytes();
    }
    if (!p.waitFor(PROCESS_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + command);
    }
    return new String(out, StandardCharsets.UTF_8);
  }

  private static JsonObject python(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("python3", probe.toString()));
    command.addAll(List.of(args));
    String out = run(command);
    try {
      return new JsonObject(out.strip());
    } catch (RuntimeException e) {
      throw new AssertionError("probe.py " + String.join(" ", args) + " printed: " + out, e);
    }
  }

  private static int webPort() {
    return switchboard.web().actualPort();
  }

  private static int provisioningPort() {
    return switchboard.provisioning().port();
  }

  /** One request over verified TLS with Python's http.client. */
  private static JsonObject http(int port, String method, String path, String json) throws Exception {
    return json == null ? python("http", "127.0.0.1", String.valueOf(port), trusted.toString(), method, path)
        : python("http", "127.0.0.1", String.valueOf(port), trusted.toString(), method, path, json);
  }

  private static List<String> headers(JsonObject response, String name) {
    List<String> values = new ArrayList<>();
    for (Object o : response.getJsonArray("headers")) {
      JsonArray h = (JsonArray) o;
      if (h.getString(0).equalsIgnoreCase(name)) {
        values.add(h.getString(1));
      }
    }
    return values;
  }

  /** The admin's API session over TLS (Vert.x's client; the certificate itself is checked by Python). */
  private static WebClientSession admin() {
    WebClientSession c = WebClientSession.create(WebClient.create(vertx, new WebClientOptions().setSsl(true)
        .setTrustAll(true).setDefaultHost("127.0.0.1").setDefaultPort(webPort())));
    HttpResponse<Buffer> r = c.post("/api/login")
        .sendJsonObject(new JsonObject().put("username", "admin").put("password", "admin-password")).await();
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return c;
  }

  @Test
  @Order(1)
  void onlyTls12And13WithAeadSuitesOnBothPorts() throws Exception {
    for (int port : new int[] {webPort(), provisioningPort()}) {
      JsonObject v = python("versions", "127.0.0.1", String.valueOf(port), trusted.toString());
      assertTrue(v.getJsonObject("TLSv1.2").getBoolean("ok"), v::encodePrettily);
      assertEquals("TLSv1.2", v.getJsonObject("TLSv1.2").getString("version"));
      assertTrue(v.getJsonObject("TLSv1.3").getBoolean("ok"), v::encodePrettily);
      assertEquals("TLSv1.3", v.getJsonObject("TLSv1.3").getString("version"));
      assertFalse(v.getJsonObject("TLSv1.1").getBoolean("ok"), v::encodePrettily);
      // The server's refusal (a protocol_version alert), not the client's inability to offer 1.1.
      assertTrue(v.getJsonObject("TLSv1.1").getString("error").contains("ALERT_PROTOCOL_VERSION"), v::encodePrettily);
      assertFalse(v.getJsonObject("cbc").getBoolean("ok"), "CBC suites are off: " + v.encodePrettily());
      assertTrue(v.getJsonObject("cbc").getString("error").contains("ALERT_HANDSHAKE_FAILURE"), v::encodePrettily);
    }
  }

  @Test
  @Order(2)
  void clearTextHttpOnTheTlsPortsGetsNoHttpAnswer() throws Exception {
    for (int port : new int[] {webPort(), provisioningPort()}) {
      JsonObject plain = python("plain", "127.0.0.1", String.valueOf(port));
      assertFalse(plain.getString("received").startsWith("HTTP/"), plain::encodePrettily);
      assertFalse(plain.getString("received").contains("status"), plain::encodePrettily);
    }
  }

  @Test
  @Order(3)
  void everyResponseHasHstsAndTheSessionCookieIsSecure() throws Exception {
    JsonObject login = http(webPort(), "POST", "/api/login",
        new JsonObject().put("username", "admin").put("password", "admin-password").encode());
    assertEquals(200, login.getInteger("status"), login::encodePrettily);
    assertEquals(List.of("max-age=31536000"), headers(login, "Strict-Transport-Security"), login::encodePrettily);
    List<String> cookies = headers(login, "Set-Cookie");
    assertFalse(cookies.isEmpty(), login::encodePrettily);
    for (String c : cookies) {
      String cookie = c.toLowerCase();
      assertTrue(cookie.startsWith("switchboard.session=") && cookie.contains("; secure") && cookie.contains("; httponly")
          && cookie.contains("; samesite=strict"), c);
    }

    for (String[] r : new String[][] {{"GET", "/"}, {"GET", "/js/live.js"}, {"GET", "/api/health"}, {"GET", "/api/me"},
        {"GET", "/api/no-such-thing"}, {"GET", "/no-such-page"}}) {
      JsonObject answer = http(webPort(), r[0], r[1], null);
      assertEquals(List.of("max-age=31536000"), headers(answer, "Strict-Transport-Security"),
          r[1] + " " + answer.getInteger("status"));
    }
  }

  @Test
  @Order(4)
  void healthAndStartUpNameTheListenersWithTheirScheme() throws Exception {
    JsonObject health = new JsonObject(http(webPort(), "GET", "/api/health", null).getString("body"));
    JsonObject components = health.getJsonObject("components");
    assertEquals("https://127.0.0.1:" + webPort(), components.getJsonObject("web").getString("url"));
    assertEquals("https://127.0.0.1:" + provisioningPort(), components.getJsonObject("provisioning").getString("url"));
    String banner = switchboard.listeners();
    assertTrue(banner.contains("web https://127.0.0.1:" + webPort() + "/"), banner);
    assertTrue(banner.contains("phones https://127.0.0.1:" + provisioningPort() + "/provision/"), banner);
  }

  @Test
  @Order(5)
  void noRequestBodyReachesTheDiskAndNoneIsReadBeforeTheSession() throws Exception {
    long since = System.currentTimeMillis() - 2_000;
    String marker = "SWITCHBOARD-UPLOAD-" + UUID.randomUUID();
    for (String path : new String[] {"/api/login", "/api/users", "/api/import"}) {
      JsonObject sent = python("uploads", "127.0.0.1", String.valueOf(webPort()), trusted.toString(), path, marker, "3",
          String.valueOf(150 * 1024));
      JsonArray answers = sent.getJsonArray("answers");
      assertEquals(3, answers.size(), sent::encodePrettily);
      for (int i = 0; i < answers.size(); i++) {
        JsonObject a = answers.getJsonObject(i);
        assertEquals(415, a.getInteger("status"), path + ": " + a.encode());
        assertTrue(a.getString("type").startsWith("application/json"), a.encode());
        assertEquals("unsupported-media-type", new JsonObject(a.getString("body")).getString("error"), a.encode());
      }
    }
    // Anonymous JSON is refused before its body is read; the login's body has its own small limit.
    Path big = dir.resolve("big.json"); // too long for a command line
    Files.writeString(big, new JsonObject().put("username", "x".repeat(200 * 1024)).encode());
    JsonObject anonymous = http(webPort(), "POST", "/api/users", "@" + big);
    assertEquals(401, anonymous.getInteger("status"), anonymous::encodePrettily);
    assertEquals("unauthorized", new JsonObject(anonymous.getString("body")).getString("error"));
    JsonObject tooLarge = http(webPort(), "POST", "/api/login", "@" + big);
    assertEquals(413, tooLarge.getInteger("status"), tooLarge::encodePrettily);
    assertEquals("too-large", new JsonObject(tooLarge.getString("body")).getString("error"));

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
            if (indexOf(Files.readAllBytes(file), needle) >= 0) {
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

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Test
  @Order(6)
  void phonesGetHttpsUrlsAndFilesThatPutTheirSwitchboardAccountOnTls() throws Exception {
    WebClientSession admin = admin();
    assertEquals(201, admin.post("/api/users").sendJsonObject(new JsonObject().put("username", "tina")
        .put("extension", "1201").put("password", "tina-web-pw").put("sipPassword", "tina-sip-pw")).await().statusCode());
    HttpResponse<Buffer> created = admin.post("/api/users/tina/devices").sendJsonObject(new JsonObject()
        .put("kind", "desk-phone").put("vendor", "yealink").put("model", "T46U").put("mac", "00:15:65:12:34:56")).await();
    assertEquals(201, created.statusCode(), created.bodyAsString());
    String url = created.bodyAsJsonObject().getString("provisioningUrl");
    // The configured port (0 in tests: any free one) and the SIP advertised host: fetched on loopback.
    assertTrue(url.startsWith("https://") && url.contains("/provision/"), url);

    String path = url.substring(url.indexOf("/provision/")) + "001565123456.cfg";
    JsonObject file = http(provisioningPort(), "GET", path, null);
    assertEquals(200, file.getInteger("status"), file::encodePrettily);
    String text = file.getString("body");
    assertTrue(text.contains("account.2.sip_server.1.transport_type = 2"), text);
    assertTrue(text.contains("account.2.sip_server.1.port = " + tlsSipPort), text);
    String trustUrl = text.lines().filter(l -> l.startsWith("static.trusted_certificates.url = ")).findFirst()
        .orElseThrow(() -> new AssertionError(text)).substring("static.trusted_certificates.url = ".length());
    assertTrue(trustUrl.startsWith("https://") && trustUrl.endsWith("/provision/switchboard-ca.pem"), trustUrl);

    JsonObject pem = http(provisioningPort(), "GET", "/provision/switchboard-ca.pem", null);
    assertEquals(200, pem.getInteger("status"), pem::encodePrettily);
    assertEquals(Files.readString(cert).strip(), pem.getString("body").strip());
  }

  @Test
  @Order(7)
  void chromiumUsesTheConsoleOverHttpsWithItsLiveChannelOverWss() throws Exception {
    WebClientSession admin = admin();
    for (String u : new String[] {"uma", "vic"}) {
      assertEquals(201, admin.post("/api/users").sendJsonObject(new JsonObject().put("username", u)
          .put("extension", u.equals("uma") ? "1301" : "1302").put("password", u + "-web-pw")
          .put("sipPassword", u + "-sip-pw")).await().statusCode());
    }
    try (Browser browser = new Browser("https://127.0.0.1:" + webPort())) {
      browser.login("uma", "uma-web-pw");
      assertEquals("https:", browser.script("return location.protocol"));
      browser.waitAttribute("live-state", "data-state", "open");
      browser.open("#/chat/vic");
      browser.find("chat-input");
      // vic writes through the API: it reaches uma's page only over the live channel (wss: an https
      // page may open no ws:// socket).
      WebClientSession vic = WebClientSession.create(WebClient.create(vertx, new WebClientOptions().setSsl(true)
          .setTrustAll(true).setDefaultHost("127.0.0.1").setDefaultPort(webPort())));
      assertEquals(200, vic.post("/api/login").sendJsonObject(new JsonObject().put("username", "vic")
          .put("password", "vic-web-pw")).await().statusCode());
      HttpResponse<Buffer> sent = vic.post("/api/messages").sendJsonObject(new JsonObject().put("to", "uma")
          .put("body", "Hello over wss")).await();
      assertEquals(200, sent.statusCode(), sent.bodyAsString());
      assertEquals("DELIVERED", sent.bodyAsJsonObject().getString("state"), "written to uma's open console");
      browser.waitText("chat-log", "Hello over wss");
      browser.screenshot("https-console");
    }
  }

  @Test
  @Order(8)
  void aReloadedCertificateIsPresentedToNewConnections() throws Exception {
    assertEquals("1001", serial(webPort()));
    assertEquals("1001", serial(provisioningPort()));
    Path newCert = dir.resolve("cert-2.pem");
    Path newKey = dir.resolve("key-2.pem");
    certificate(newCert, newKey, 8194); // serial 0x2002
    Files.writeString(trusted, Files.readString(trusted) + Files.readString(newCert));
    Files.move(newKey, key, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    Files.move(newCert, cert, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    vertx.eventBus().publish(EventAddresses.TLS_RELOADED, null);

    // The update is asynchronous: handshake again until it shows (each try is a whole handshake).
    for (int port : new int[] {webPort(), provisioningPort()}) {
      String seen = null;
      for (int attempt = 0; attempt < 30 && !"2002".equals(seen); attempt++) {
        seen = serial(port);
      }
      assertEquals("2002", seen, "port " + port);
    }
    JsonObject pem = null;
    for (int attempt = 0; attempt < 30; attempt++) {
      pem = http(provisioningPort(), "GET", "/provision/switchboard-ca.pem", null);
      if (pem.getString("body").strip().equals(Files.readString(cert).strip())) {
        break;
      }
    }
    assertEquals(Files.readString(cert).strip(), pem.getString("body").strip(), "the phones' copy follows the reload");
    // Still TLS 1.2+ only with the new certificate.
    JsonObject v = python("versions", "127.0.0.1", String.valueOf(webPort()), trusted.toString());
    assertFalse(v.getJsonObject("TLSv1.1").getBoolean("ok"), v::encodePrettily);
    assertTrue(v.getJsonObject("TLSv1.3").getBoolean("ok"), v::encodePrettily);
  }

  /** The serial number (hex) of the certificate a new openssl handshake sees. */
  private static String serial(int port) throws Exception {
    String out = run(List.of("bash", "-c", "openssl s_client -connect 127.0.0.1:" + port
        + " -servername localhost </dev/null 2>/dev/null | openssl x509 -noout -serial"));
    return out.strip().replace("serial=", "");
  }
}
