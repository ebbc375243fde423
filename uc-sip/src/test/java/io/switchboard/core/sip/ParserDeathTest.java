package io.switchboard.core.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.SipTestServer;
import io.switchboard.core.testing.TestCertificates;
import io.switchboard.core.testing.TestCertificates.KeyForm;
import io.switchboard.core.testing.TestCertificates.Pair;
import io.switchboard.core.tls.TlsCredentials;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A line that starts with two CRs kills JAIN-SIP's parser thread for that connection (SipFuzzTest
 * found it): the connection is closed, the thread's death is handled as the answer to a bad peer (it
 * reached the default handler, a stack trace on stderr, before), and other connections are answered.
 * Over TCP and over TLS.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class ParserDeathTest {

  private static final byte[] TWO_CRS_THEN_LF = "\r\r\n".getBytes(StandardCharsets.US_ASCII);

  private final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
  private Thread.UncaughtExceptionHandler previousHandler;
  private SipTestServer server;
  private int tlsPort;

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) throws Exception {
    previousHandler = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(new IllegalStateException("thread " + t.getName(), e)));
    Pair pair = TestCertificates.create(dir, "parser", 0x7171, KeyForm.EC_PKCS8);
    Path cert = Files.copy(pair.cert(), dir.resolve("server.crt"));
    Path key = Files.copy(pair.key(), dir.resolve("server.key"));
    tlsPort = FreePorts.udpAndTcp();
    server = new SipTestServer(vertx, dir.resolve("data"), Map.of("tls.cert", cert.toString(), "tls.key", key.toString(),
        "sip.tls-port", String.valueOf(tlsPort)));
    server.tls = Optional.of(TlsCredentials.load(vertx, server.config.tls()).await());
    server.start().await();
  }

  @AfterEach
  void stop() {
    Thread.setDefaultUncaughtExceptionHandler(previousHandler);
    server.stop().await();
  }

  @Test
  void aTcpConnectionWhoseParserDiesIsClosed() throws Exception {
    try (Socket tcp = new Socket(InetAddress.getLoopbackAddress(), server.sipPort())) {
      assertClosedAfterTwoCrs(tcp);
    }
    awaitParserThreadsEnded();
    try (Socket tcp = new Socket(InetAddress.getLoopbackAddress(), server.sipPort())) {
      assertAnswered(tcp, "TCP");
    }
    assertEquals(List.of(), uncaught, "no JAIN-SIP thread died unhandled");
  }

  @Test
  void aTlsConnectionWhoseParserDiesIsClosed() throws Exception {
    try (Socket tls = tlsSocket()) {
      assertClosedAfterTwoCrs(tls);
    }
    awaitParserThreadsEnded();
    try (Socket tls = tlsSocket()) {
      assertAnswered(tls, "TLS");
    }
    assertEquals(List.of(), uncaught, "no JAIN-SIP thread died unhandled");
  }

  /** Sends the two CRs and a line feed, then waits for the server to close: end of stream or a reset. */
  private static void assertClosedAfterTwoCrs(Socket socket) throws IOException {
    socket.setSoTimeout(15_000);
    socket.getOutputStream().write(TWO_CRS_THEN_LF);
    socket.getOutputStream().flush();
    try {
      int read = socket.getInputStream().read();
      assertEquals(-1, read, "the server sent nothing but closed the connection");
    } catch (SocketTimeoutException stillOpen) {
      fail("the connection stayed open 15 s after its parser failed");
    } catch (IOException reset) {
      assertTrue(reset.getMessage() != null, "closed: " + reset);
    }
  }

  /**
   * The parser's {@code finally} closes the connection before its exception reaches a handler: wait for
   * the parser threads (only the failed connection's is open) to end, so that a handled or unhandled death
   * is on record before it is asserted on.
   */
  private static void awaitParserThreadsEnded() throws InterruptedException {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("PipelineThread")) {
        t.join(15_000);
        assertTrue(!t.isAlive(), "parser thread " + t.getName() + " ended with its connection");
      }
    }
  }

  private void assertAnswered(Socket socket, String transport) throws IOException {
    socket.setSoTimeout(15_000);
    String from = "127.0.0.1:" + socket.getLocalPort();
    String options = ("OPTIONS sip:" + server.domain() + " SIP/2.0\n"
        + "Via: SIP/2.0/" + transport + " " + from + ";branch=z9hG4bK-after\n"
        + "Max-Forwards: 70\n"
        + "From: <sip:probe@" + server.domain() + ">;tag=p1\n"
        + "To: <sip:" + server.domain() + ">\n"
        + "Call-ID: after-" + transport + "\n"
        + "CSeq: 1 OPTIONS\n"
        + "Content-Length: 0\n\n").replace("\n", "\r\n");
    socket.getOutputStream().write(options.getBytes(StandardCharsets.UTF_8));
    socket.getOutputStream().flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    assertEquals("SIP/2.0 200 OK", in.readLine(), "a new connection is answered");
  }

  private Socket tlsSocket() throws Exception {
    // The test trusts the server's certificate whatever it is: trust has its own tests (SipTlsTest).
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {
      }

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {
      }

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, null);
    SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), tlsPort);
    socket.startHandshake();
    return socket;
  }
}
