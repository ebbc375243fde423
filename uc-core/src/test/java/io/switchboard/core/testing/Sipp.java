package io.switchboard.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs SIPp (Debian package sip-tester) as a real SIP user agent against a server on loopback.
 * Each run executes a scenario once (-m 1), bounded by a global timeout, and keeps the message
 * trace so that tests can assert on what was seen on the wire.
 */
public final class Sipp {

  /** What SIPp reported: exit code 0 means every step of the scenario matched. */
  public record Result(int exitCode, String messages, String errors, String stdout) {
    public boolean passed() {
      return exitCode == 0;
    }

    @Override
    public String toString() {
      return "sipp exit " + exitCode + "\n--- errors\n" + errors + "\n--- messages\n" + messages + "\n--- stdout\n" + stdout;
    }
  }

  private final String scenario;
  private final int serverPort;
  private final Map<String, String> keys = new LinkedHashMap<>();
  private String transport = "u1";
  private String authUser;
  private String authPassword;
  private int localPort;

  private Sipp(String scenario, int serverPort) {
    this.scenario = scenario;
    this.serverPort = serverPort;
  }

  /** @param scenario a file name under the test resources' {@code sipp/} folder */
  public static Sipp scenario(String scenario, int serverPort) {
    return new Sipp(scenario, serverPort);
  }

  /** Sets [name] in the scenario. */
  public Sipp key(String name, String value) {
    keys.put(name, value);
    return this;
  }

  public Sipp auth(String user, String password) {
    this.authUser = user;
    this.authPassword = password;
    return this;
  }

  public Sipp tcp() {
    this.transport = "t1";
    return this;
  }

  public Sipp localPort(int port) {
    this.localPort = port;
    return this;
  }

  public Result run() throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("sipp");
    Path xml = dir.resolve(scenario);
    try (InputStream in = Sipp.class.getResourceAsStream("/sipp/" + scenario)) {
      if (in == null) {
        throw new IllegalArgumentException("no scenario sipp/" + scenario);
      }
      Files.copy(in, xml, StandardCopyOption.REPLACE_EXISTING);
    }
    Path messages = dir.resolve("messages.log");
    Path errors = dir.resolve("errors.log");
    Path stdout = dir.resolve("stdout.log");
    List<String> cmd = new ArrayList<>(List.of("sipp", "127.0.0.1:" + serverPort, "-sf", xml.toString(),
        "-m", "1", "-l", "1", "-i", "127.0.0.1", "-t", transport, "-nostdin",
        "-timeout", "20s", "-timeout_error", "-max_recv_loops", "100",
        "-trace_msg", "-message_file", messages.toString(), "-trace_err", "-error_file", errors.toString()));
    // Never SIPp's default 5060: a local Asterisk may hold it.
    cmd.addAll(List.of("-p", String.valueOf(localPort > 0 ? localPort : FreePorts.udpAndTcp())));
    if (authUser != null) {
      cmd.addAll(List.of("-au", authUser, "-ap", authPassword));
    }
    keys.forEach((k, v) -> cmd.addAll(List.of("-key", k, v)));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(stdout.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .start();
    if (!p.waitFor(40, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      return new Result(-1, read(messages), "sipp did not finish in 40 s", read(stdout));
    }
    return new Result(p.exitValue(), read(messages), read(errors), read(stdout));
  }

  private static String read(Path p) throws IOException {
    return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
  }
}
