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
  private final Map<String, byte[]> files = new LinkedHashMap<>();
  private String transport = "u1";
  private String authUser;
  private String authPassword;
  private String authUri;
  private String localAddress = "127.0.0.1";
  private int localPort;
  private Path injection;

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

  /**
   * The digest {@code uri} SIPp puts in its credentials (without {@code sip:}). By default the
   * scenario's Request-URI, as a phone does: SIPp would otherwise put the server's address there,
   * which the server refuses (the digest uri must be the Request-URI).
   */
  public Sipp authUri(String uri) {
    this.authUri = uri;
    return this;
  }

  /** The loopback address SIPp sends from (another 127.0.0.x is another source to the server). */
  public Sipp localAddress(String address) {
    this.localAddress = address;
    return this;
  }

  /** A CSV injection file (-inf): each call reads the next line's [field0], [field1], ... */
  public Sipp injection(Path csv) {
    this.injection = csv;
    return this;
  }

  /**
   * A file next to the scenario, for its {@code [file name="..."]} keyword: bytes SIPp sends as they are
   * (binary bodies, such as a deflated one, that an XML scenario cannot hold).
   */
  public Sipp file(String name, byte[] content) {
    files.put(name, content);
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
      if (!process.waitFor(timeoutSeconds + 10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        return new Result(-1, read(messages), "sipp did not finish in " + (timeoutSeconds + 10) + " s", read(stdout));
      }
      return new Result(process.exitValue(), read(messages), read(errors), read(stdout));
    }

    /** The message trace so far, while it runs (a test awaiting what a device has received). */
    public String messagesSoFar() throws IOException {
      return read(messages);
    }

    /** Ends a device that is no longer needed (this process only). */
    public void stop() {
      process.destroyForcibly();
    }
  }

  private int calls = 1;
  private boolean server;
  private int timeoutSeconds = 30;

  /** Ends the scenario as failed after {@code seconds} (SIPp's -timeout; 30 s unless told): a watcher that outlives an expiry. */
  public Sipp timeout(int seconds) {
    this.timeoutSeconds = seconds;
    return this;
  }

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
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      Files.write(dir.resolve(f.getKey()), f.getValue());
    }
    String digestUri = authUri != null ? authUri : requestUri(Files.readString(xml, StandardCharsets.UTF_8));
    Path messages = dir.resolve("messages.log");
    Path errors = dir.resolve("errors.log");
    Path stdout = dir.resolve("stdout.log");
    List<String> cmd = new ArrayList<>(List.of("sipp"));
    if (!server) {
      cmd.add("127.0.0.1:" + serverPort);
    }
    cmd.addAll(List.of("-sf", xml.toString(),
        "-m", String.valueOf(calls), "-i", localAddress, "-t", transport, "-nostdin",
        "-timeout", timeoutSeconds + "s", "-timeout_error", "-max_recv_loops", "100",
        "-trace_msg", "-message_file", messages.toString(), "-trace_err", "-error_file", errors.toString()));
    // Never SIPp's default 5060: a local Asterisk may hold it.
    cmd.addAll(List.of("-p", String.valueOf(localPort > 0 ? localPort : FreePorts.udpAndTcp())));
    cmd.addAll(List.of("-mp", String.valueOf(FreePorts.mediaBase())));
    if (authUser != null) {
      cmd.addAll(List.of("-au", authUser, "-ap", authPassword));
    }
    if (digestUri != null && (authUser != null || injection != null)) {
      cmd.addAll(List.of("-auth_uri", digestUri)); // credentials may come from the injection file
    }
    if (injection != null) {
      cmd.addAll(List.of("-inf", injection.toString()));
    }
    keys.forEach((k, v) -> cmd.addAll(List.of("-key", k, v)));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(stdout.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .start();
    return new Running(p, messages, errors, stdout);
  }

  /** The Request-URI of the scenario's authenticated request, keys filled in, without sip:; null if unknown. */
  private String requestUri(String scenarioText) {
    int auth = scenarioText.indexOf("[authentication]");
    if (auth < 0) {
      return null;
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^[A-Z]+ sip:(\\S+) SIP/2\\.0\\s*$")
        .matcher(scenarioText.substring(0, auth));
    String uri = null;
    while (m.find()) {
      uri = m.group(1);
    }
    if (uri == null) {
      return null;
    }
    for (Map.Entry<String, String> k : keys.entrySet()) {
      uri = uri.replace("[" + k.getKey() + "]", k.getValue());
    }
    return uri.contains("[") ? null : uri;
  }

  private static String read(Path p) throws IOException {
    // Leniently: a trace may hold a binary body (a deflated one), which must not fail the read.
    return Files.exists(p) ? new String(Files.readAllBytes(p), StandardCharsets.UTF_8) : "";
  }
}
