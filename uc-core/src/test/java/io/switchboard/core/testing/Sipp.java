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

  /** Runs the scenario to its end. */
  public Result run() throws IOException, InterruptedException {
    return start().await();
  }

  /**
   * A SIPp scenario that is still running: a device waiting for requests (a scenario that starts
   * with a recv), started in the background, awaited after the test has made it receive something.
   */
  public final class Running {
    private final Process process;
    private final Path messages;
    private final Path errors;
    private final Path stdout;

    private Running(Process process, Path messages, Path errors, Path stdout) {
      this.process = process;
      this.messages = messages;
      this.errors = errors;
      this.stdout = stdout;
    }

    /** Waits (bounded) for the scenario to finish its -m calls. */
    public Result await() throws IOException, InterruptedException {
      if (!process.waitFor(40, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        return new Result(-1, read(messages), "sipp did not finish in 40 s", read(stdout));
      }
      return new Result(process.exitValue(), read(messages), read(errors), read(stdout));
    }

    /** Ends a device that is no longer needed (this process only). */
    public void stop() {
      process.destroyForcibly();
    }
  }

  private int calls = 1;
  private boolean server;

  /** A device: SIPp waits for requests on {@code port} and answers -m {@code calls} of them. */
  public static Sipp device(String scenario, int port, int calls) {
    Sipp s = new Sipp(scenario, 0);
    s.server = true;
    s.calls = calls;
    s.localPort = port;
    return s;
  }

  /** Runs the scenario {@code n} times (-m), as separate calls at SIPp's default rate; [call_number] counts them from 1. */
  public Sipp calls(int n) {
    this.calls = n;
    return this;
  }

  public Running start() throws IOException {
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
    List<String> cmd = new ArrayList<>(List.of("sipp"));
    if (!server) {
      cmd.add("127.0.0.1:" + serverPort);
    }
    cmd.addAll(List.of("-sf", xml.toString(),
        "-m", String.valueOf(calls), "-i", "127.0.0.1", "-t", transport, "-nostdin",
        "-timeout", "30s", "-timeout_error", "-max_recv_loops", "100",
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
    return new Running(p, messages, errors, stdout);
  }

  private static String read(Path p) throws IOException {
    return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
  }
}
