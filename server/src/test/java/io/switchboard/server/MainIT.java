package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.TestCertificates;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar as an operator runs it: bad configuration stops it naming the key; a good one serves. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MainIT {

  private static final Path JAR = Path.of("target", "switchboard.jar");

  private Process start(Path dir, Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toAbsolutePath().toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("SWITCHBOARD_"));
    pb.environment().putAll(env);
    return pb.start();
  }

  private static String finish(Process p) throws Exception {
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "process ends by itself");
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  @Test
  void badEnvironmentValueStopsStartupNamingTheKey(@TempDir Path dir) throws Exception {
    Process p = start(dir, Map.of("SWITCHBOARD_SIP_PORT", "not-a-port"));
    String out = finish(p);
    assertEquals(2, p.exitValue(), out);
    assertTrue(out.contains("sip.port") && out.contains("SWITCHBOARD_SIP_PORT"), out);
  }

  @Test
  void unknownKeyInConfigFileStopsStartup(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("switchboard.properties");
    Files.writeString(file, "sip.prot=5080\n");
    Process p = start(dir, Map.of(), "--config", file.toString());
    String out = finish(p);
    assertEquals(2, p.exitValue(), out);
    assertTrue(out.contains("sip.prot"), out);
  }

  @Test
  void certificateThatDoesNotParseStopsStartupNamingTheKey(@TempDir Path dir) throws Exception {
    Path cert = Files.writeString(dir.resolve("server.crt"), "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
    TestCertificates.Pair good = TestCertificates.create(dir, "good", 1, TestCertificates.KeyForm.EC_PKCS8);
    Process p = start(dir, Map.of("SWITCHBOARD_TLS_CERT", cert.toString(), "SWITCHBOARD_TLS_KEY", good.key().toString(),
        "SWITCHBOARD_SIP_BIND_ADDRESS", "127.0.0.1", "SWITCHBOARD_WEB_BIND_ADDRESS", "127.0.0.1"));
    String out = finish(p);
    assertEquals(2, p.exitValue(), out);
    assertTrue(out.contains("tls.cert") && out.contains(cert.toString()), out);
  }

  @Test
  void sighupReloadsTheCertificateForNewSipTlsHandshakes(@TempDir Path dir) throws Exception {
    TestCertificates.Pair first = TestCertificates.create(dir, "first", 0x1111, TestCertificates.KeyForm.EC_PKCS8);
    TestCertificates.Pair second = TestCertificates.create(dir, "second", 0x2222, TestCertificates.KeyForm.RSA_PKCS1);
    Path cert = Files.copy(first.cert(), dir.resolve("server.crt"));
    Path key = Files.copy(first.key(), dir.resolve("server.key"));
    int sip = FreePorts.udpAndTcp();
    int sipTls = FreePorts.udpAndTcp();
    Process p = start(dir, Map.of("SWITCHBOARD_SIP_PORT", String.valueOf(sip), "SWITCHBOARD_SIP_TLS_PORT", String.valueOf(sipTls),
        "SWITCHBOARD_TLS_CERT", cert.toString(), "SWITCHBOARD_TLS_KEY", key.toString(), "SWITCHBOARD_WEB_PORT", "0",
        "SWITCHBOARD_SIP_BIND_ADDRESS", "127.0.0.1", "SWITCHBOARD_WEB_BIND_ADDRESS", "127.0.0.1",
        "SWITCHBOARD_PROVISIONING_PORT", "0", "SWITCHBOARD_PROVISIONING_BIND_ADDRESS", "127.0.0.1"));
    StringBuffer log = new StringBuffer();
    CompletableFuture<Void> up = new CompletableFuture<>();
    CompletableFuture<Void> reloaded = new CompletableFuture<>();
    Thread follower = new Thread(() -> {
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
          log.append(line).append('\n');
          if (line.startsWith("Switchboard is up")) {
            up.complete(null);
          }
          if (line.contains("TLS certificate reloaded [why: SIGHUP")) {
            reloaded.complete(null);
          }
          if (line.contains("SIGHUP cannot reload")) {
            // Started with SIGHUP ignored (under nohup, say): the JVM refuses a handler, and says so at once.
            reloaded.completeExceptionally(new AssertionError("SIGHUP is ignored in this process (run the tests"
                + " without nohup): " + line));
          }
        }
      } catch (java.io.IOException e) {
        log.append("(output ended: ").append(e.getMessage()).append(")\n");
      }
      up.complete(null);
      reloaded.complete(null);
    }, "switchboard-output");
    follower.start();
    try {
      up.get(90, TimeUnit.SECONDS);
      assertTrue(log.toString().contains("and tls 127.0.0.1:" + sipTls), log.toString());
      assertEquals("1111", servedSerial(sipTls, first.cert()), log.toString());

      TestCertificates.replace(second.key(), key);
      TestCertificates.replace(second.cert(), cert);
      // The signal an operator (or certbot's deploy hook) sends, to the process we started.
      Process hup = new ProcessBuilder("kill", "-HUP", String.valueOf(p.pid())).start();
      assertTrue(hup.waitFor(10, TimeUnit.SECONDS) && hup.exitValue() == 0, "kill -HUP");
      reloaded.get(60, TimeUnit.SECONDS);
      assertTrue(p.isAlive(), "SIGHUP reloads, it does not stop: " + log);
      assertEquals("2222", servedSerial(sipTls, second.cert()), log.toString());
    } finally {
      p.toHandle().destroy();
      p.waitFor(60, TimeUnit.SECONDS);
    }
  }

  /** The serial of the certificate a new TLS handshake presents, as openssl s_client reads it. */
  private static String servedSerial(int port, Path ca) throws Exception {
    Process p = new ProcessBuilder("sh", "-c", "openssl s_client -connect 127.0.0.1:" + port + " -CAfile " + ca
        + " -verify_return_error </dev/null 2>/dev/null | openssl x509 -noout -serial").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "s_client ends");
    return out.replaceFirst("^serial=0*", "");
  }

  @Test
  void startsServesHealthAndStopsOnSigterm(@TempDir Path dir) throws Exception {
    int sip = FreePorts.udpAndTcp();
    int web = FreePorts.udpAndTcp();
    Process p = start(dir, Map.of("SWITCHBOARD_SIP_PORT", String.valueOf(sip), "SWITCHBOARD_WEB_PORT", String.valueOf(web),
        "SWITCHBOARD_SIP_BIND_ADDRESS", "127.0.0.1", "SWITCHBOARD_WEB_BIND_ADDRESS", "127.0.0.1",
        // Any free port: 8081 may be held by another server on this machine.
        "SWITCHBOARD_PROVISIONING_PORT", "0", "SWITCHBOARD_PROVISIONING_BIND_ADDRESS", "127.0.0.1"));
    // One reader thread follows the output to its end: "up" completes at the banner, "ended" at EOF.
    StringBuffer log = new StringBuffer();
    CompletableFuture<Void> up = new CompletableFuture<>();
    CompletableFuture<Void> ended = new CompletableFuture<>();
    Thread follower = new Thread(() -> {
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = reader.readLine()) != null) {
          log.append(line).append('\n');
          if (line.startsWith("Switchboard is up")) {
            up.complete(null);
          }
        }
      } catch (java.io.IOException e) {
        log.append("(output ended: ").append(e.getMessage()).append(")\n");
      }
      up.complete(null);
      ended.complete(null);
    }, "switchboard-output");
    follower.start();
    up.get(90, TimeUnit.SECONDS);
    assertTrue(log.toString().contains("Switchboard is up"), log.toString());
    assertTrue(log.toString().contains("Password:"), "first start prints the generated admin password");
    HttpResponse<String> health = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + web + "/api/health")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, health.statusCode(), health.body());
    // SIGTERM, as Ctrl-C or systemd would; through the handle, since Process.destroy() also closes our end of the pipes.
    assertTrue(p.toHandle().destroy(), "SIGTERM sent");
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "stops within a minute");
    ended.get(10, TimeUnit.SECONDS);
    assertTrue(log.toString().contains("Stopping"), log.toString());
    assertTrue(Files.exists(dir.resolve("data").resolve("switchboard.mv")), "store file under ./data");
  }
}
