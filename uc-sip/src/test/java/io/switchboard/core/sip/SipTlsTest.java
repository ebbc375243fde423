package io.switchboard.core.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.EventAddresses;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.SipTestServer;
import io.switchboard.core.testing.TestCertificates;
import io.switchboard.core.testing.TestCertificates.KeyForm;
import io.switchboard.core.testing.TestCertificates.Pair;
import io.switchboard.core.testing.TlsSipClient;
import io.switchboard.core.tls.CertificateWatcher;
import io.switchboard.core.tls.TlsCredentials;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.sip.address.Address;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIP over TLS with real TLS clients: openssl s_client for the handshake rules, and a SIP user agent
 * in Python's ssl module registering, keeping alive and being reached over its own connection.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
class SipTlsTest {

  private SipTestServer server;
  private CertificateWatcher watcher;
  private Path dir;
  private Path cert;
  private Path key;
  private int tlsPort;

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) throws Exception {
    this.dir = dir;
    Pair pair = TestCertificates.create(dir, "first", 0x5151, KeyForm.EC_PKCS8);
    cert = Files.copy(pair.cert(), dir.resolve("server.crt"));
    key = Files.copy(pair.key(), dir.resolve("server.key"));
    tlsPort = FreePorts.udpAndTcp();
    server = new SipTestServer(vertx, dir.resolve("data"), Map.of("tls.cert", cert.toString(), "tls.key", key.toString(),
        "sip.tls-port", String.valueOf(tlsPort)));
    server.tls = Optional.of(TlsCredentials.load(vertx, server.config.tls()).await());
    server.start().await();
    server.createUser("alice", "1001", "alice-sip-secret").await();
  }

  @AfterEach
  void stop() {
    if (watcher != null) {
      watcher.stop();
    }
    server.stop().await();
  }

  private TlsSipClient client(String scheme) throws Exception {
    return TlsSipClient.connect(dir, tlsPort, cert, "alice", "alice-sip-secret", server.domain(), scheme,
        FreePorts.udpAndTcp());
  }

  /** openssl s_client's output and exit code for one handshake. */
  private record Handshake(int exit, String output) {
  }

  private Handshake sClient(String... options) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + tlsPort,
        "-CAfile", cert.toString(), "-verify_return_error", "-servername", "switchboard.test"));
    command.addAll(List.of(options));
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "s_client ends");
    return new Handshake(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  private static BigInteger servedSerial(Handshake h) throws Exception {
    int begin = h.output().indexOf("-----BEGIN CERTIFICATE-----");
    int end = h.output().indexOf("-----END CERTIFICATE-----");
    assertTrue(begin >= 0 && end > begin, h.output());
    String pem = h.output().substring(begin, end + "-----END CERTIFICATE-----".length());
    return ((X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))).getSerialNumber();
  }

  @Test
  void tls12And13HandshakeTls11IsRefused() throws Exception {
    Handshake v13 = sClient("-tls1_3");
    assertEquals(0, v13.exit(), v13.output());
    assertTrue(v13.output().contains("Protocol  : TLSv1.3") || v13.output().contains("TLSv1.3"), v13.output());
    assertTrue(v13.output().contains("Verify return code: 0 (ok)"), v13.output());
    assertEquals(BigInteger.valueOf(0x5151), servedSerial(v13));

    Handshake v12 = sClient("-tls1_2");
    assertEquals(0, v12.exit(), v12.output());
    assertTrue(v12.output().contains("Protocol  : TLSv1.2"), v12.output());
    assertTrue(v12.output().matches("(?s).*Cipher is ECDHE-ECDSA-(AES\\d+-GCM-SHA\\d+|CHACHA20-POLY1305).*"), v12.output());

    // The client is willing (security level 0 lets it offer TLS 1.1): the server says no.
    Handshake v11 = sClient("-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0");
    assertNotEquals(0, v11.exit(), v11.output());
    assertTrue(v11.output().contains("alert protocol version") || v11.output().contains("unsupported protocol"),
        v11.output());
    // Nor does it take a 3DES or CBC-SHA1 suite over TLS 1.2.
    Handshake weak = sClient("-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA:DES-CBC3-SHA:@SECLEVEL=0");
    assertNotEquals(0, weak.exit(), weak.output());
  }

  @Test
  void deviceRegistersOverTlsKeepsAliveAndIsReachedOverItsConnection() throws Exception {
    try (TlsSipClient alice = client("sip")) {
      assertEquals("REGISTER 200 1", alice.command("register 300"));
      Binding b = server.sip.location().bindings("alice").get(0);
      assertEquals("tls", b.transport());
      assertTrue(b.contact().contains("transport=tls"), b.contact());
      assertEquals("PONG", alice.command("ping"), "RFC 5626 keep-alive: CRLFCRLF answered by CRLF");
      String options = alice.command("options");
      assertTrue(options.startsWith("OPTIONS 200 SIP/2.0/TLS 127.0.0.1:"), options);

      // A MESSAGE from the server to the device: its Contact port has no listener, so only its own
      // TLS connection can carry it.
      alice.ask("receive");
      Future<Response> answered = sendTo(b, Request.MESSAGE, "hello over TLS");
      String received = alice.answer();
      assertTrue(received.startsWith("RECEIVED MESSAGE sip:alice@127.0.0.1:"), received);
      assertTrue(received.contains("| SIP/2.0/TLS " + server.sip.edge().advertisedHost() + ":" + tlsPort + ";"), received);
      assertTrue(received.endsWith("| hello over TLS"), received);
      assertEquals(200, answered.await(30, TimeUnit.SECONDS).getStatusCode());
    }
    assertEquals(server.config.sip().bindAddress() + ":" + tlsPort,
        server.health.toJson().getJsonObject("components").getJsonObject("sip").getString("tls"));
  }

  @Test
  void sipsRequestUrisAreAccepted() throws Exception {
    try (TlsSipClient alice = client("sips")) {
      assertEquals("REGISTER 200 1", alice.command("register 300"));
      Binding b = server.sip.location().bindings("alice").get(0);
      assertTrue(b.contact().startsWith("sips:alice@127.0.0.1:"), b.contact());
      assertEquals("tls", b.transport());
      alice.ask("receive");
      Future<Response> answered = sendTo(b, Request.OPTIONS, null);
      String received = alice.answer();
      assertTrue(received.startsWith("RECEIVED OPTIONS sips:alice@127.0.0.1:"), received);
      assertEquals(200, answered.await(30, TimeUnit.SECONDS).getStatusCode());
    }
  }

  @Test
  void reloadedCertificateServesNewHandshakesWhileOldConnectionsGoOn(Vertx vertx) throws Exception {
    watcher = new CertificateWatcher(vertx, server.tls.orElseThrow(), Duration.ofMillis(250));
    watcher.start(false).await();
    Promise<Void> reloaded = Promise.promise();
    vertx.eventBus().consumer(EventAddresses.TLS_RELOADED, m -> reloaded.tryComplete()).completion().await();
    try (TlsSipClient old = client("sip")) {
      assertEquals("REGISTER 200 1", old.command("register 300"));
      assertTrue(old.command("peer").startsWith("PEER 5151 "));

      Pair next = TestCertificates.create(dir, "next", 0x6262, KeyForm.EC_PKCS8);
      // Key first, then certificate, each replaced in one step, as the README asks.
      TestCertificates.replace(next.key(), key);
      TestCertificates.replace(next.cert(), cert);
      reloaded.future().await(60, TimeUnit.SECONDS);

      assertEquals(BigInteger.valueOf(0x6262), servedSerial(sClient("-tls1_3")));
      try (TlsSipClient fresh = client("sip")) {
        assertTrue(fresh.command("peer").startsWith("PEER 6262 "));
      }
      // The connection made before the reload carries on with its session.
      assertTrue(old.command("options").startsWith("OPTIONS 200 "));
      assertTrue(old.command("peer").startsWith("PEER 5151 "));
    }
  }

  private Future<Response> sendTo(Binding device, String method, String text) throws Exception {
    SipEdge edge = server.sip.edge();
    var f = edge.factories();
    Address from = f.addresses().createAddress("sip:server@" + server.domain());
    Address to = f.addresses().createAddress("sip:alice@" + server.domain());
    Request request = edge.requestToDevice(method, device, from, to);
    if (text != null) {
      request.setContent(text, f.headers().createContentTypeHeader("text", "plain"));
    }
    return edge.send(request);
  }
}
