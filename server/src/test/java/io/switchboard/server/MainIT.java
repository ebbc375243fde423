package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.testing.FreePorts;
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
