package io.switchboard.im;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real SMTP server on loopback (aiosmtpd, Debian's python3-aiosmtpd, run by {@code smtp/smtp_sink.py}) as a
 * process of the test's own, ended by its pid. Each mail it receives is one JSON line on its stdout:
 * {@link #nextMail} waits for it.
 */
final class SmtpSink implements AutoCloseable {

  private final Process process;
  private final BlockingQueue<JsonObject> mails = new LinkedBlockingQueue<>();
  private final List<JsonObject> all = java.util.Collections.synchronizedList(new ArrayList<>());
  private final StringBuilder errors = new StringBuilder();

  private SmtpSink(Process process) {
    this.process = process;
  }

  /** Plain SMTP, no AUTH. */
  static SmtpSink plain(int port) throws IOException, InterruptedException {
    return start(List.of(String.valueOf(port)));
  }

  /** STARTTLS required (with this certificate) and AUTH required (this one user). */
  static SmtpSink withStarttlsAndAuth(int port, Path cert, Path key, String user, String password)
      throws IOException, InterruptedException {
    return start(List.of(String.valueOf(port), cert.toString(), key.toString(), user, password));
  }

  private static SmtpSink start(List<String> args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    // Debian's package installs into the system interpreter, which may not be the first python3 on the PATH.
    command.add(Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3");
    command.add(script().toString());
    command.addAll(args);
    SmtpSink sink = new SmtpSink(new ProcessBuilder(command).start());
    sink.readInBackground();
    String first = sink.firstLine.poll(60, TimeUnit.SECONDS);
    if (!"READY".equals(first)) {
      sink.close();
      throw new IOException("SMTP sink did not start: " + first + " " + sink.errors());
    }
    return sink;
  }

  private final BlockingQueue<String> firstLine = new LinkedBlockingQueue<>();

  private void readInBackground() {
    Thread out = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          if (line.equals("READY")) {
            firstLine.add(line);
          } else if (line.startsWith("{")) {
            JsonObject mail = new JsonObject(line);
            all.add(mail);
            mails.add(mail);
          }
        }
      } catch (IOException e) {
        // the process ended
      }
      firstLine.add("(ended)");
    }, "smtp-sink-out");
    out.setDaemon(true);
    out.start();
    Thread err = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          synchronized (errors) {
            errors.append(line).append('\n');
          }
        }
      } catch (IOException e) {
        // the process ended
      }
    }, "smtp-sink-err");
    err.setDaemon(true);
    err.start();
  }

  private static Path script() throws IOException {
    try {
      return Path.of(SmtpSink.class.getResource("/smtp/smtp_sink.py").toURI());
    } catch (URISyntaxException e) {
      throw new IOException(e);
    }
  }

  /** The next mail received, or null after the timeout. */
  JsonObject nextMail(long timeout, TimeUnit unit) throws InterruptedException {
    return mails.poll(timeout, unit);
  }

  /** Every mail received so far. */
  List<JsonObject> received() {
    synchronized (all) {
      return List.copyOf(all);
    }
  }

  String errors() {
    synchronized (errors) {
      return errors.toString();
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
