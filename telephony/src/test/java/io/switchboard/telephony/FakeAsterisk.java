package io.switchboard.telephony;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An AMI server on loopback that says what the recordings under {@code src/test/resources/ami/}
 * say: the banner, answers to the actions Asterisk-Java sends (Challenge and the MD5 Login,
 * CoreSettings to learn the version, Ping, CoreShowChannels), each with the client's ActionID put
 * in place of the recorded one, and, on the test's command, a scenario's event blocks. It can drop
 * every connection. Blocking sockets on its own threads: this is the peer, not the code under test.
 */
public final class FakeAsterisk implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FakeAsterisk.class);

  private final String username;
  private final String secret;
  private final ServerSocket server;
  /** Action name (lower case) → recorded reply; an action without one gets Asterisk's "Invalid/unknown command". */
  private final Map<String, String> replies = new ConcurrentHashMap<>();
  private final List<Session> sessions = new CopyOnWriteArrayList<>();
  private final List<Map<String, String>> received = new CopyOnWriteArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private final List<String> mute = new CopyOnWriteArrayList<>();
  private volatile String banner;
  private final java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();

  private record Waiter(String action, int count, CompletableFuture<Void> done) {
  }

  public FakeAsterisk(String username, String secret) throws IOException {
    this.username = username;
    this.secret = secret;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.banner = AmiTrace.load("action-Ping.ami").banner;
    reply("CoreSettings", "action-CoreSettings.ami");
    reply("Ping", "action-Ping.ami");
    reply("CoreShowChannels", "action-CoreShowChannels-idle.ami");
    Thread acceptor = new Thread(this::accept, "fake-asterisk-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  /** From now on, answer {@code action} with the reply recorded in {@code trace}. */
  public FakeAsterisk reply(String action, String trace) {
    replies.put(action.toLowerCase(Locale.ROOT), trace);
    return this;
  }

  /** From now on, read {@code action} and never answer it (a hung Asterisk). */
  FakeAsterisk ignore(String action) {
    mute.add(action.toLowerCase(Locale.ROOT));
    return this;
  }

  /** Sessions open and logged in now: one per node that holds the link. */
  public int loggedInSessions() {
    return (int) sessions.stream().filter(s -> s.loggedIn).count();
  }

  /** Connections accepted so far. */
  int accepted() {
    return accepted.get();
  }

  /** From the next connection on, greet with this line instead of the recorded banner. */
  FakeAsterisk banner(String line) {
    this.banner = line;
    return this;
  }

  /** Sends these bytes as they are to every logged-in session: garbage, half an event, a huge line. */
  void sendRaw(byte[] bytes) throws IOException {
    for (Session s : sessions) {
      if (s.loggedIn) {
        s.write(bytes);
      }
    }
  }

  /** Completes once {@code count} actions named {@code action} have been received and answered. */
  public CompletableFuture<Void> awaitActions(String action, int count) {
    Waiter w = new Waiter(action.toLowerCase(Locale.ROOT), count, new CompletableFuture<>());
    synchronized (waiters) {
      waiters.add(w);
    }
    check();
    return w.done();
  }

  int count(String action) {
    String name = action.toLowerCase(Locale.ROOT);
    return (int) received.stream().filter(a -> name.equalsIgnoreCase(a.get("action"))).count();
  }

  /** Every action received, keys in lower case, in arrival order. */
  public List<Map<String, String>> received() {
    return List.copyOf(received);
  }

  /** Sends these blocks to every logged-in session, in order, each followed by a blank line. */
  void send(List<String> blocks) throws IOException {
    for (Session s : sessions) {
      if (s.loggedIn) {
        StringBuilder out = new StringBuilder();
        blocks.forEach(b -> out.append(b).append("\r\n\r\n"));
        s.write(out.toString());
      }
    }
  }

  /** Replays a scenario's events (everything after its login response, but the Goodbye). */
  /**
   * Replays a recorded scenario in steps, so a test can await what each part causes: sends the
   * events from block {@code from} up to and including the {@code n}-th block (counted from the
   * start) that begins with {@code prefix}, or all the rest when {@code prefix} is null.
   *
   * @return where the next step starts
   */
  /** Replays a whole scenario with {@code recorded} (say, the recording's ActionID) replaced by {@code actual}. */
  public void replayReplacing(String scenario, String recorded, String actual) throws IOException {
    send(AmiTrace.load(scenario).afterLogin().stream().map(b -> b.replace(recorded, actual)).toList());
  }

  public int replayStep(String scenario, int from, String prefix, int n) throws IOException {
    java.util.List<String> all = AmiTrace.load(scenario).afterLogin();
    int end = prefix == null ? all.size() : AmiTrace.load(scenario).afterLoginThrough(prefix, n).size();
    send(all.subList(from, end));
    return end;
  }

  /** As {@link #replayStep(String, int, String, int)}, with each key of {@code replacements} replaced by its value. */
  public int replayStep(String scenario, int from, String prefix, int n, Map<String, String> replacements)
      throws IOException {
    List<String> all = AmiTrace.load(scenario).afterLogin();
    int end = prefix == null ? all.size() : AmiTrace.load(scenario).afterLoginThrough(prefix, n).size();
    List<String> step = new ArrayList<>();
    for (String block : all.subList(from, end)) {
      for (Map.Entry<String, String> r : replacements.entrySet()) {
        block = block.replace(r.getKey(), r.getValue());
      }
      step.add(block);
    }
    send(step);
    return end;
  }

  void replay(String scenario) throws IOException {
    send(AmiTrace.load(scenario).afterLogin());
  }

  /** Closes every connection at once, as a crashed Asterisk or a cut link would. */
  void dropConnections() {
    for (Session s : sessions) {
      s.close();
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    dropConnections();
  }

  // ---- the server ------------------------------------------------------------------------------

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        accepted.incrementAndGet();
        Session s = new Session(socket);
        sessions.add(s);
        Thread t = new Thread(s::run, "fake-asterisk-session");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void check() {
    synchronized (waiters) {
      waiters.removeIf(w -> {
        if (count(w.action()) >= w.count()) {
          w.done().complete(null);
          return true;
        }
        return false;
      });
    }
  }

  private final class Session {
    private final Socket socket;
    private final OutputStream out;
    private volatile boolean loggedIn;
    private String challenge;

    Session(Socket socket) throws IOException {
      this.socket = socket;
      this.out = socket.getOutputStream();
    }

    void run() {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))) {
        write(banner + "\r\n");
        Map<String, String> action = new LinkedHashMap<>();
        String line;
        while ((line = in.readLine()) != null) {
          if (!line.isEmpty()) {
            int colon = line.indexOf(':');
            if (colon > 0) {
              // A repeated header (Originate's Variable, one line per variable) keeps every value, one per line.
              action.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim(),
                  (before, more) -> before + "\n" + more);
            }
            continue;
          }
          if (action.isEmpty()) {
            continue;
          }
          Map<String, String> a = Map.copyOf(action);
          action.clear();
          // Recorded before it is answered: whoever saw the answer may look for the action at once.
          received.add(a);
          boolean goOn = answer(a);
          check();
          if (!goOn) {
            break;
          }
        }
      } catch (IOException e) {
        LOG.debug("fake Asterisk session ended: {}", e.getMessage());
      } finally {
        close();
      }
    }

    /** Answers one action; false to end the session. */
    private boolean answer(Map<String, String> a) throws IOException {
      String name = a.getOrDefault("action", "").toLowerCase(Locale.ROOT);
      String id = a.get("actionid");
      String idLine = id == null ? "" : "ActionID: " + id + "\r\n";
      if (mute.contains(name)) {
        return true;
      }
      switch (name) {
        case "challenge" -> {
          challenge = String.valueOf(100_000_000 + ThreadLocalRandom.current().nextInt(900_000_000));
          write("Response: Success\r\n" + idLine + "Challenge: " + challenge + "\r\n\r\n");
        }
        case "login" -> {
          boolean userOk = username.equals(a.get("username"));
          boolean secretOk = secret.equals(a.get("secret"))
              || (challenge != null && "md5".equalsIgnoreCase(a.get("authtype")) && md5(challenge + secret).equals(a.get("key")));
          loggedIn = userOk && secretOk;
          // The recorded answers: action-Login-failed.ami and the first block of every session.
          write(loggedIn ? "Response: Success\r\n" + idLine + "Message: Authentication accepted\r\n\r\n"
              : "Response: Error\r\n" + idLine + "Message: Authentication failed\r\n\r\n");
        }
        case "logoff" -> {
          write("Response: Goodbye\r\n" + idLine + "Message: Thanks for all the fish.\r\n\r\n");
          return false;
        }
        default -> {
          String trace = replies.get(name);
          if (!loggedIn) {
            write("Response: Error\r\n" + idLine + "Message: Permission denied\r\n\r\n");
          } else if (trace == null) {
            write("Response: Error\r\n" + idLine + "Message: Invalid/unknown command\r\n\r\n");
          } else {
            StringBuilder reply = new StringBuilder();
            for (String block : AmiTrace.load(trace).afterLogin()) {
              reply.append(block.replace("ActionID: act-1", "ActionID: " + id)).append("\r\n\r\n");
            }
            write(reply.toString());
          }
        }
      }
      return true;
    }

    void write(String text) throws IOException {
      write(text.getBytes(StandardCharsets.UTF_8));
    }

    synchronized void write(byte[] bytes) throws IOException {
      out.write(bytes);
      out.flush();
    }

    void close() {
      loggedIn = false;
      sessions.remove(this);
      try {
        socket.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }

  private static String md5(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8));
      return String.format("%032x", new BigInteger(1, digest));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
