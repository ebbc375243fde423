package io.switchboard.core.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A SIP user agent over one TLS connection, in Python's ssl module ({@code tls/sip_tls_client.py}):
 * each command is answered by one line (see the script). Bounded: every answer is awaited at most
 * 60 s, and {@link #close()} ends the process.
 */
public final class TlsSipClient implements AutoCloseable {

  private final Process process;
  private final Writer commands;
  private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
  private final Path errors;

  private TlsSipClient(Process process, Path errors) {
    this.process = process;
    this.errors = errors;
    this.commands = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          answers.add(line);
        }
      } catch (IOException e) {
        answers.add("EOF " + e.getMessage());
      }
    }, "tls-sip-client-out");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Connects to 127.0.0.1:port over TLS, trusting only {@code ca}.
   *
   * @param scheme sip (Contact with transport=tls) or sips
   * @param contactPort the port the Contact names: nothing listens there, so requests to this device
   *     can only come back over its own connection
   */
  public static TlsSipClient connect(Path dir, int port, Path ca, String user, String password, String domain,
      String scheme, int contactPort) throws IOException {
    Path script = dir.resolve("sip_tls_client.py");
    if (!Files.exists(script)) {
      try (InputStream in = TlsSipClient.class.getResourceAsStream("/tls/sip_tls_client.py")) {
        Files.copy(in, script);
      }
    }
    Path errors = Files.createTempFile(dir, "sip-tls-client", ".err");
    Process p = new ProcessBuilder(List.of("python3", script.toString(), "--port", String.valueOf(port), "--ca",
        ca.toString(), "--user", user, "--password", password, "--domain", domain, "--scheme", scheme,
        "--contact-port", String.valueOf(contactPort))).redirectError(errors.toFile()).start();
    return new TlsSipClient(p, errors);
  }

  /** Sends one command and returns its answer line. */
  public String command(String command) throws IOException, InterruptedException {
    commands.write(command + "\n");
    commands.flush();
    String answer = answers.poll(60, TimeUnit.SECONDS);
    if (answer == null) {
      throw new IOException("no answer to '" + command + "'; stderr: " + Files.readString(errors));
    }
    return answer;
  }

  /** Sends a command whose answer comes later, with {@link #answer()}. */
  public void ask(String command) throws IOException {
    commands.write(command + "\n");
    commands.flush();
  }

  public String answer() throws IOException, InterruptedException {
    String answer = answers.poll(60, TimeUnit.SECONDS);
    if (answer == null) {
      throw new IOException("no answer; stderr: " + Files.readString(errors));
    }
    return answer;
  }

  @Override
  public void close() throws InterruptedException {
    try {
      commands.write("quit\n");
      commands.flush();
    } catch (IOException ignored) {
      // already gone
    }
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
