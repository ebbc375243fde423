package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.Sipp;
import io.switchboard.core.testing.SippTrace;
import io.switchboard.core.testing.TestConfigs;
import io.switchboard.server.SipMutations.Kind;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClientSession;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * 10,000 mutated SIP requests (truncated, doubled, huge and oversized headers, bad UTF-8, wrong
 * Content-Length, missing or bad mandatory headers, bad request lines, byte flips) made from recorded
 * valid ones, over UDP and over several TCP connections (some closed half-sent), against the whole
 * server. Then: SIPp still registers, sends a MESSAGE and fetches presence; no thread died; heap and
 * open files are back near where they were; malformed requests got 400 or nothing, never 500.
 * The seed is printed; {@code -Dfuzz.seed=N} replays a run.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 240, timeUnit = TimeUnit.SECONDS)
class SipFuzzTest {

  private static final int UDP_REQUESTS = 7000;
  private static final int TCP_REQUESTS = 3000;
  private static final int UDP_SOCKETS = 4;
  private static final int TCP_WORKERS = 6;
  /** The largest UDP payload we send (IPv4 allows 65,507). */
  private static final int MAX_DATAGRAM = 65_000;
  /** Answers that mean the server failed, not the request. */
  private static final Set<Integer> SERVER_FAILURES = Set.of(500, 502, 503, 504);

  private Vertx vertx;
  private Switchboard switchboard;
  private int sipPort;
  private String domain;
  private Thread.UncaughtExceptionHandler previousHandler;
  private final List<Throwable> uncaught = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** What was sent (by Call-ID) and what came back. */
  private final Map<String, Kind> sent = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();

  private record Answer(String callId, int status, String transport) {
  }

  /** What the answered request was made as; null when the mutation hit its Call-ID. */
  private Kind kindOf(Answer a) {
    return a.callId() == null ? null : sent.get(a.callId());
  }

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) throws Exception {
    this.vertx = vertx;
    previousHandler = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(new IllegalStateException("thread " + t.getName(), e)));
    vertx.exceptionHandler(e -> uncaught.add(new IllegalStateException("unhandled on a Vert.x context", e)));
    sipPort = FreePorts.udpAndTcp();
    // The fuzzer sends from loopback far faster than the per-source flood limit and with broken
    // credentials: exempt it from both throttles so that every mutation reaches the parser and the
    // handlers (the throttles have their own tests, DigestHardeningTest and SipThrottlesTest).
    switchboard = new Switchboard(vertx, TestConfigs.loopback(dir, sipPort, 0,
        Map.of("admin.password", "admin-password", "im.fork-timeout", "2", "presence.default-rule", "allow",
            "sip.flood.exempt", "127.0.0.0/8")), s -> { });
    switchboard.start().await();
    domain = "switchboard.test";
    WebClientSession admin = Api.login(vertx, switchboard, "admin", "admin-password");
    Api.createUsers(admin, new String[] {"alice", "1001"}, new String[] {"bob", "1002"}, new String[] {"carol", "1003"});
  }

  @AfterEach
  void stop() {
    Thread.setDefaultUncaughtExceptionHandler(previousHandler);
    if (switchboard != null) {
      switchboard.stop().await();
    }
  }

  @Test
  void tenThousandMutatedRequestsLeaveTheEdgeStandingAndAnswered400OrNothing() throws Exception {
    long seed = Long.getLong("fuzz.seed", System.nanoTime());
    System.out.println("SipFuzzTest seed " + seed + " (replay with -Dfuzz.seed=" + seed + ")");

    // Real user agents first: proves the scenarios, loads every class, opens what stays open.
    realUserAgentsStillWork("before");
    Set<Thread> sipThreads = sipStackThreads();
    assertTrue(!sipThreads.isEmpty(), "the SIP stack's threads are found: " + threadNames());
    System.out.println("SipFuzzTest watches the SIP stack's threads " + sipThreads.stream().map(Thread::getName).sorted().toList());
    long heapBefore = heapAfterGc();
    int filesBefore = openFiles();

    SipMutations mutations = SipMutations.load();
    long fuzzStarted = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(UDP_SOCKETS + TCP_WORKERS);
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int i = 0; i < UDP_SOCKETS; i++) {
        Random random = new Random(seed + i);
        int index = i;
        work.add(pool.submit(() -> udp(mutations, random, index, UDP_REQUESTS / UDP_SOCKETS)));
      }
      for (int i = 0; i < TCP_WORKERS; i++) {
        Random random = new Random(seed + 100 + i);
        int index = i;
        work.add(pool.submit(() -> tcp(mutations, random, index, TCP_REQUESTS / TCP_WORKERS)));
      }
      for (Future<?> f : work) {
        f.get(150, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    Map<Integer, Long> byStatus = answers.stream().collect(Collectors.groupingBy(Answer::status, TreeMap::new,
        Collectors.counting()));
    System.out.println("SipFuzzTest sent " + sent.size() + " requests in "
        + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - fuzzStarted) + " ms, answers by status: " + byStatus);
    assertTrue(sent.size() >= 9_900, "Call-IDs are unique: " + sent.size());

    List<String> failures = answers.stream().filter(a -> SERVER_FAILURES.contains(a.status()))
        .map(a -> a.status() + " to " + kindOf(a) + " [call-id: " + a.callId() + ", " + a.transport() + "]")
        .toList();
    assertEquals(List.of(), failures, "no server failure for bad input (seed " + seed + ")");
    List<String> notBadRequest = answers.stream()
        .filter(a -> kindOf(a) != null && kindOf(a).breaksMandatoryHeader() && a.status() != 400)
        .map(a -> a.status() + " [call-id: " + a.callId() + "]").toList();
    assertEquals(List.of(), notBadRequest, "a request without Via, From, To, Call-ID or CSeq is 400 or dropped");
    assertTrue(byStatus.getOrDefault(400, 0L) > 100, "malformed requests are answered 400: " + byStatus);
    assertTrue(byStatus.getOrDefault(401, 0L) + byStatus.getOrDefault(407, 0L) > 100,
        "intact requests still get their challenges: " + byStatus);

    realUserAgentsStillWork("after");
    assertTrue(uncaught.isEmpty(), () -> uncaught.size() + " threads died or exceptions went unhandled, the first: "
        + stackTrace(uncaught.get(0)));
    for (Thread t : sipThreads) {
      assertTrue(t.isAlive(), "SIP stack thread " + t.getName() + " is alive");
    }
    // Sockets the fuzzer closed are closed on the server's side too (bounded wait: the machine is busy).
    int filesAfter = awaitOpenFilesAtMost(filesBefore + 16);
    long heapAfter = heapAfterGc();
    System.out.printf("SipFuzzTest heap after GC %d -> %d MiB, open files %d -> %d%n", heapBefore >> 20,
        heapAfter >> 20, filesBefore, filesAfter);
    assertTrue(filesAfter <= filesBefore + 16, "open files " + filesBefore + " -> " + filesAfter);
    assertTrue(heapAfter - heapBefore < 96L << 20, "heap after GC " + (heapBefore >> 20) + " -> " + (heapAfter >> 20) + " MiB");
  }

  // ---- real user agents ----------------------------------------------------------------------------

  private void realUserAgentsStillWork(String when) throws Exception {
    Sipp.Result reg = Sipp.scenario("register.xml", sipPort).key("domain", domain).key("aor", "bob")
        .key("contact", "bob-desk-" + when).key("expires", "300").auth("bob", "bob-sip-pw").run();
    assertTrue(reg.passed(), when + ": " + reg);
    Sipp.Result im = Sipp.scenario("send-message.xml", sipPort).key("domain", domain).key("from", "alice")
        .key("to", "carol").key("ctype", "text/plain").key("body", "still there? " + when)
        .auth("alice", "alice-sip-pw").run();
    assertEquals(202, SippTrace.lastStatus(im.messages()), when + ": " + im);
    Sipp.Result watch = Sipp.scenario("fetch-presence.xml", sipPort).key("domain", domain).key("from", "carol")
        .key("to", "bob").auth("carol", "carol-sip-pw").tcp().run();
    assertTrue(watch.passed(), when + ": " + watch);
    SippTrace.Message notify = SippTrace.received(watch.messages(), "NOTIFY").get(0);
    assertTrue(notify.body().contains("<basic>open</basic>"), "bob is registered, so open: " + notify.body());
  }

  // ---- UDP -----------------------------------------------------------------------------------------

  /** Sends in chunks, then reads answers until the server falls silent, so that its buffers never overflow. */
  private Void udp(SipMutations mutations, Random random, int worker, int count) throws IOException {
    try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      socket.setReceiveBufferSize(4 << 20);
      socket.setSoTimeout(100);
      InetAddress server = InetAddress.getLoopbackAddress();
      for (int n = 0; n < count; n++) {
        String callId = checkedCallId("fz-u" + worker + "-" + n);
        Kind kind = SipMutations.pick(random);
        byte[] bytes = mutations.mutate(mutations.valid(random.nextInt(SipMutations.SEEDS.length), "UDP",
            socket.getLocalPort(), domain, callId), kind, random, MAX_DATAGRAM);
        sent.put(callId, kind);
        socket.send(new DatagramPacket(bytes, Math.min(bytes.length, MAX_DATAGRAM), server, sipPort));
        if (n % 100 == 99 || n == count - 1) {
          drain(socket);
        }
      }
      return null;
    }
  }

  private void drain(DatagramSocket socket) throws IOException {
    byte[] buf = new byte[65_535];
    while (true) {
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      try {
        socket.receive(p);
      } catch (SocketTimeoutException silent) {
        return;
      }
      record(new String(p.getData(), 0, p.getLength(), StandardCharsets.ISO_8859_1), "udp");
    }
  }

  // ---- TCP -----------------------------------------------------------------------------------------

  /**
   * Several requests per connection, many connections in turn; one in five is closed in the middle
   * of a request. Answers are read by a thread per connection until the server closes it or we do.
   */
  private Void tcp(SipMutations mutations, Random random, int worker, int count) throws Exception {
    int n = 0;
    while (n < count) {
      int perConnection = 1 + random.nextInt(80);
      boolean halfSent = random.nextInt(5) == 0;
      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), sipPort)) {
        AtomicInteger read = new AtomicInteger();
        Thread reader = new Thread(() -> readAnswers(socket, read), "fuzz-tcp-reader");
        reader.setDaemon(true);
        reader.start();
        OutputStream out = socket.getOutputStream();
        try {
          for (int i = 0; i < perConnection && n < count; i++, n++) {
            String callId = checkedCallId("fz-t" + worker + "-" + n);
            Kind kind = SipMutations.pick(random);
            byte[] bytes = mutations.mutate(mutations.valid(random.nextInt(SipMutations.SEEDS.length), "TCP",
                socket.getLocalPort(), domain, callId), kind, random, SipMutations.MAX_MESSAGE + 8192);
            sent.put(callId, kind);
            if (halfSent && i == perConnection - 1) {
              out.write(bytes, 0, bytes.length / 2);
              out.flush();
              break;
            }
            out.write(bytes);
            out.flush();
          }
        } catch (IOException closedByServer) {
          // the server may close a connection it cannot parse: that is its right
        }
        if (!halfSent) {
          // Give the answers a moment (bounded): read until the server is silent for 100 ms.
          int last = -1;
          while (last != read.get() && reader.isAlive()) {
            last = read.get();
            reader.join(100);
          }
        }
      }
    }
    return null;
  }

  private void readAnswers(Socket socket, AtomicInteger read) {
    try {
      InputStream in = new BufferedInputStream(socket.getInputStream());
      while (true) {
        String head = readHead(in);
        if (head == null) {
          return;
        }
        int length = 0;
        for (String line : head.split("\r\n")) {
          if (line.regionMatches(true, 0, "Content-Length:", 0, 15) || line.regionMatches(true, 0, "l:", 0, 2)) {
            length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
          }
        }
        in.skipNBytes(length);
        record(head, "tcp");
        read.incrementAndGet();
      }
    } catch (IOException closed) {
      // the connection ended
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      head.write(c);
      int size = head.size();
      byte[] b = head.toByteArray();
      if (size >= 4 && b[size - 4] == '\r' && b[size - 3] == '\n' && b[size - 2] == '\r' && b[size - 1] == '\n') {
        return head.toString(StandardCharsets.ISO_8859_1);
      }
      if (size == 2 && b[0] == '\r' && b[1] == '\n') {
        head.reset(); // keep-alive CRLF
      }
    }
    return null;
  }

  private void record(String message, String transport) {
    if (!message.startsWith("SIP/2.0 ")) {
      return;
    }
    int status = Integer.parseInt(message.substring(8, 11));
    String callId = null;
    String branch = null;
    for (String line : message.split("\r\n")) {
      if (callId == null && (line.regionMatches(true, 0, "Call-ID:", 0, 8) || line.regionMatches(true, 0, "i:", 0, 2))) {
        callId = line.substring(line.indexOf(':') + 1).trim();
      }
      int at = line.indexOf("branch=z9hG4bK-");
      if (branch == null && at >= 0) {
        branch = line.substring(at + "branch=z9hG4bK-".length()).split("[;\\s]")[0];
      }
    }
    // A byte flip may turn one request's Call-ID into another's (fz-u1-707 into fz-u1-507, or fz-u1-1050 into
    // "fz-u1-105 ", trimmed): an answer is that request's only when its Call-ID's check holds and its Via
    // branch, which carries the same name, agrees (or its Via lost the branch to another mutation).
    boolean ours = callId != null && callId.equals(checkedCallId(callId.substring(0, Math.max(0, callId.lastIndexOf('.')))));
    answers.add(new Answer(ours && (branch == null || branch.equals(callId)) ? callId : null, status, transport));
  }

  /** A request's name with a check after a dot: a flipped byte does not make it another request's. */
  private static String checkedCallId(String name) {
    return name + "." + Integer.toString(Math.floorMod(name.hashCode() * 31 + 7, 36 * 36 * 36), 36);
  }

  // ---- the server's health from inside ---------------------------------------------------------------

  /**
   * JAIN-SIP's long-lived threads (listeners, timers, the UDP pool), all in SipEdge's "jain-sip"
   * group; not a TCP connection's own threads, which end with their connection.
   */
  private static Set<Thread> sipStackThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> {
      ThreadGroup group = t.getThreadGroup();
      return group != null && "jain-sip".equals(group.getName()) && !t.getName().startsWith("PipelineThread")
          && !t.getName().startsWith("TCPMessageChannelThread");
    }).collect(Collectors.toSet());
  }

  private static String stackTrace(Throwable t) {
    java.io.StringWriter out = new java.io.StringWriter();
    t.printStackTrace(new java.io.PrintWriter(out));
    return out.toString();
  }

  private static String threadNames() {
    return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).sorted().collect(Collectors.joining(", "));
  }

  private static long heapAfterGc() {
    var memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }

  private static int openFiles() throws IOException {
    try (var files = Files.list(Path.of("/proc/self/fd"))) {
      return (int) files.count();
    }
  }

  /** Polls the open-file count until it is at most {@code limit}, for at most 30 s; returns the last count. */
  private int awaitOpenFilesAtMost(int limit) throws Exception {
    Promise<Integer> done = Promise.promise();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    vertx.setPeriodic(200, id -> vertx.executeBlocking(SipFuzzTest::openFiles).onSuccess(count -> {
      if (count <= limit || System.nanoTime() > deadline) {
        vertx.cancelTimer(id);
        done.tryComplete(count);
      }
    }));
    return done.future().await(40, TimeUnit.SECONDS);
  }
}
