package io.switchboard.core.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.RawSip;
import io.switchboard.core.testing.SipTestServer;
import io.switchboard.core.testing.Sipp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unauthenticated requests over UDP are challenged from their bytes ({@link RawChallenges}), with
 * the very answer the stack path gives: each request here is sent once with the byte path off (the
 * stack parses it and builds the 401/407) and once with it on, and the two answers are compared
 * byte for byte, for SIPp's and phones' forms, compact header names, folded lines, several Vias,
 * a Via the stack rewrites. The challenge's nonce works (the authenticated retry succeeds), and a
 * retransmission gets the same bytes. What the scanner is not certain of (a To tag, credentials, a
 * malformed CSeq, TCP) still reaches the stack and gets today's answer. Raw UDP and SIPp.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class RawChallengeTest {

  private static final String DOMAIN = "switchboard.test";

  private SipTestServer server;
  private final java.util.concurrent.atomic.AtomicInteger messagesHandled = new java.util.concurrent.atomic.AtomicInteger();

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) throws Exception {
    server = started(vertx, dir, Map.of());
  }

  /** A server with a MESSAGE handler that needs a user (407), as the IM module's. */
  private SipTestServer started(Vertx vertx, Path dir, Map<String, String> settings) throws Exception {
    SipTestServer s = new SipTestServer(vertx, dir, settings);
    s.beforeSipStart.add(t -> t.sip.edge().handleWithoutTransaction(Request.MESSAGE, new RetransmissionGuard(
        req -> t.sip.authenticator().withUser(req, true, user -> {
          messagesHandled.incrementAndGet();
          return Future.succeededFuture(SipOutcome.reply(Response.OK));
        }), java.time.Clock.systemUTC()), SipAffinity.RECIPIENT));
    // A PUBLISH handler answering as presence does: a 200 with an entity tag and the lifetime, given as text.
    s.beforeSipStart.add(t -> t.sip.edge().handleWithoutTransaction(Request.PUBLISH, new RetransmissionGuard(
        req -> t.sip.authenticator().withUser(req, true, user -> Future.succeededFuture(
            SipOutcome.reply(Response.OK, SipOutcome.Headers.of("SIP-ETag", "e" + req.callId().hashCode(), "Expires", "60")))),
        java.time.Clock.systemUTC()), SipAffinity.HOME));
    s.start().await();
    s.createUser("alice", "1001", "alice-sip-secret").await();
    return s;
  }

  @AfterEach
  void stop() {
    server.stop().await();
  }

  private long fromBytes() {
    return server.sip.edge().challengedFromBytes();
  }

  @Test
  void theByteAnswerIsTheStacksAnswer() throws Exception {
    try (RawSip raw = new RawSip(server.sipPort())) {
      int port = raw.localPort();
      // SIPp's REGISTER (rport without a value: received and rport added).
      sameAnswer(raw, register(port, "s1", ";rport", ""), 401);
      // No rport, the Via host our address: the Via unchanged.
      sameAnswer(raw, register(port, "s2", "", ""), 401);
      // A Via host that is not the source: received added, the answer sent there.
      sameAnswer(raw, register(port, "s3", "", "").replace("Via: SIP/2.0/UDP 127.0.0.1:", "Via: SIP/2.0/UDP 127.0.0.2:"), 401);
      // A MESSAGE with a body, a display name, headers in another order, two Vias.
      sameAnswer(raw, """
          MESSAGE sip:1001@%s SIP/2.0
          Call-ID: raw-m1-%d@127.0.0.1
          Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKm1;rport
          Via: SIP/2.0/UDP 192.0.2.7:5070;branch=z9hG4bKupstream;received=192.0.2.8
          From: "Alice Smith" <sip:alice@%s>;tag=m1
          Max-Forwards: 69
          To: Bob <sip:1001@%s>
          CSeq: 7 MESSAGE
          Content-Type: text/plain
          Content-Length: 5

          hello""".formatted(DOMAIN, port, port, DOMAIN, DOMAIN), 407);
      // Compact names, any case, and a folded line.
      sameAnswer(raw, """
          REGISTER sip:%s SIP/2.0
          v: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKc1;rport
          f: "Alice"
           <sip:alice@%s>;tag=c1
          T: <sip:alice@%s>
          i: compact-%d@127.0.0.1
          cseq: 3 REGISTER
          MAX-FORWARDS: 70
          m: <sip:alice@127.0.0.1:%d>
          l: 0

          """.formatted(DOMAIN, port, DOMAIN, DOMAIN, port, port), 401);
      // Display names unquoted and unspaced, a To without angle brackets: quoted and bracketed in the answer.
      sameAnswer(raw, register(port, "s4", "", "")
          .replace("From: <sip:alice@", "From: Alice Smith <sip:alice@")
          .replace("To: <sip:alice@" + DOMAIN + ">", "To: \"Alice\"<sip:alice@" + DOMAIN + ";transport=udp>"), 401);
      sameAnswer(raw, register(port, "s5", "", "").replace("To: <sip:alice@" + DOMAIN + ">", "To: sip:alice@" + DOMAIN), 401);
      assertEquals(7, fromBytes(), "each request was answered once from its bytes");
    }
  }

  /**
   * The answer to {@code request} from the stack (byte path off), then from the bytes: the same bytes.
   * Nonces are issued per 30 s step: a pair that straddles a step is sent again with another branch.
   */
  private void sameAnswer(RawSip raw, String request, int status) throws Exception {
    for (int attempt = 0; ; attempt++) {
      String sent = request.replace(";branch=z9hG4bK", ";branch=z9hG4bK" + attempt + "x");
      int at = sent.indexOf(";branch=") + 8;
      String branch = sent.substring(at).split("[;\n]", 2)[0];
      long before = fromBytes();
      server.sip.edge().challengeFromBytes(false);
      raw.send(sent);
      String fromStack = answerTo(raw, branch);
      server.sip.edge().challengeFromBytes(true);
      raw.send(sent);
      String fromBytes = answerTo(raw, branch);
      assertNotNull(fromStack, sent);
      assertEquals(status, RawSip.status(fromStack), fromStack);
      assertEquals(before + 1, fromBytes(), "the second was answered from its bytes");
      String nonceHeader = status == 401 ? "WWW-Authenticate: Digest" : "Proxy-Authenticate: Digest";
      if (attempt < 2 && !RawSip.param(fromStack, nonceHeader, "nonce").equals(RawSip.param(fromBytes, nonceHeader, "nonce"))) {
        continue;
      }
      assertEquals(fromStack, fromBytes, "the same answer as the stack's to:\n" + sent);
      return;
    }
  }

  @Test
  void theChallengeFromBytesIsUsableAndRetransmittedIdentically() throws Exception {
    try (RawSip raw = new RawSip(server.sipPort())) {
      int port = raw.localPort();
      String first = register(port, "r1", ";rport", "");
      raw.send(first);
      String challenge = answerTo(raw, "z9hG4bKr1");
      raw.send(first);
      String again = answerTo(raw, "z9hG4bKr1");
      assertEquals(2, fromBytes());
      assertEquals(401, RawSip.status(challenge), challenge);
      assertEquals(challenge, again, "a retransmission gets the same bytes");
      assertTrue(RawSip.header(challenge, "Via").equals("SIP/2.0/UDP 127.0.0.1:" + port + ";branch=z9hG4bKr1;rport=" + port
          + ";received=127.0.0.1"), challenge);
      assertTrue(RawSip.header(challenge, "To").matches("<sip:alice@" + DOMAIN + ">;tag=[0-9a-f]{16}"), challenge);
      assertEquals("Switchboard", RawSip.header(challenge, "Server"), challenge);
      assertEquals("0", RawSip.header(challenge, "Content-Length"), challenge);
      assertEquals(DOMAIN, RawSip.param(challenge, "WWW-Authenticate: Digest", "realm"));

      String nonce = RawSip.param(challenge, "WWW-Authenticate: Digest", "nonce");
      raw.send(register(port, "r2", ";rport", authorization(nonce, "REGISTER", "sip:" + DOMAIN)).replace("CSeq: 1 ", "CSeq: 2 "));
      String ok = answerTo(raw, "z9hG4bKr2");
      assertEquals(200, RawSip.status(ok), ok);
      assertEquals(1, server.sip.location().bindings("alice").size());

      raw.send(message(port, "mm1", ""));
      String challenged = answerTo(raw, "z9hG4bKmm1");
      assertEquals(407, RawSip.status(challenged), challenged);
      String messageNonce = RawSip.param(challenged, "Proxy-Authenticate: Digest", "nonce");
      raw.send(message(port, "mm2", authorization(messageNonce, "MESSAGE", "sip:1001@" + DOMAIN)
          .replace("Authorization:", "Proxy-Authorization:")).replace("CSeq: 1 ", "CSeq: 2 "));
      String delivered = answerTo(raw, "z9hG4bKmm2");
      assertEquals(200, RawSip.status(delivered), delivered);
      assertEquals(1, messagesHandled.get());
      assertEquals(3, fromBytes(), "the requests with credentials went to the stack");
      assertEquals(0, server.sip.edge().serverTransactions());
    }
  }

  /**
   * The 200 to an authenticated MESSAGE is encoded straight from the parsed request: the same bytes as
   * the stack's {@code createResponse} and encoding give (its retransmission, answered again by the
   * guard with the direct encoding off).
   */
  @Test
  void theBareAnswerEncodedDirectlyIsTheStacksAnswer() throws Exception {
    try (RawSip raw = new RawSip(server.sipPort())) {
      int port = raw.localPort();
      raw.send(message(port, "d1", ""));
      String nonce = RawSip.param(answerTo(raw, "z9hG4bKd1"), "Proxy-Authenticate: Digest", "nonce");
      String request = """
          MESSAGE sip:1001@%s SIP/2.0
          Call-ID: raw-d2-%d@127.0.0.1
          Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKd2;rport
          Via: SIP/2.0/UDP 192.0.2.7:5070;branch=z9hG4bKupstream;received=192.0.2.8
          From: Alice <sip:alice@%s>;tag=d2
          Max-Forwards: 69
          To: sip:1001@%s
          CSeq: 2 MESSAGE
          Content-Type: text/plain
          %sContent-Length: 5

          hello""".formatted(DOMAIN, port, port, DOMAIN, DOMAIN, authorization(nonce, "MESSAGE", "sip:1001@" + DOMAIN)
          .replace("Authorization:", "Proxy-Authorization:"));
      raw.send(request);
      String direct = answerTo(raw, "z9hG4bKd2");
      assertEquals(200, RawSip.status(direct), direct);
      assertEquals(1, server.sip.edge().answersEncodedDirectly());
      server.sip.edge().encodeAnswersDirectly(false);
      raw.send(request);
      String fromStack = answerTo(raw, "z9hG4bKd2");
      assertEquals(1, server.sip.edge().answersEncodedDirectly(), "the retransmission's answer built by the stack");
      assertEquals(fromStack, direct);
      assertEquals(1, messagesHandled.get());
    }
  }

  /** As the bare answer, a 200 with headers given as text ({@link SipOutcome.Headers}): the stack's bytes. */
  @Test
  void anAnswerWithTextHeadersEncodedDirectlyIsTheStacksAnswer() throws Exception {
    try (RawSip raw = new RawSip(server.sipPort())) {
      int port = raw.localPort();
      String publish = """
          PUBLISH sip:alice@%s SIP/2.0
          Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%s;rport
          Max-Forwards: 70
          From: <sip:alice@%s>;tag=p1
          To: <sip:alice@%s>
          Call-ID: raw-publish-%d@127.0.0.1
          CSeq: %d PUBLISH
          Event: presence
          Expires: 60
          %sContent-Length: 0

          """;
      raw.send(publish.formatted(DOMAIN, port, "p1", DOMAIN, DOMAIN, port, 1, ""));
      String nonce = RawSip.param(answerTo(raw, "z9hG4bKp1"), "Proxy-Authenticate: Digest", "nonce");
      String request = publish.formatted(DOMAIN, port, "p2", DOMAIN, DOMAIN, port, 2,
          authorization(nonce, "PUBLISH", "sip:alice@" + DOMAIN).replace("Authorization:", "Proxy-Authorization:"));
      raw.send(request);
      String direct = answerTo(raw, "z9hG4bKp2");
      assertEquals(200, RawSip.status(direct), direct);
      assertEquals("60", RawSip.header(direct, "Expires"), direct);
      assertNotNull(RawSip.header(direct, "SIP-ETag"), direct);
      assertEquals(1, server.sip.edge().answersEncodedDirectly());
      server.sip.edge().encodeAnswersDirectly(false);
      raw.send(request);
      String fromStack = answerTo(raw, "z9hG4bKp2");
      assertEquals(1, server.sip.edge().answersEncodedDirectly(), "the retransmission's answer built by the stack");
      assertEquals(fromStack, direct);
    }
  }

  @Test
  void oddRequestsStillGetTheStacksAnswers() throws Exception {
    try (RawSip raw = new RawSip(server.sipPort())) {
      int port = raw.localPort();
      // A To tag (within a dialog): challenged by the stack path, as before.
      raw.send(register(port, "o1", "", "").replace("To: <sip:alice@" + DOMAIN + ">", "To: <sip:alice@" + DOMAIN + ">;tag=x"));
      String inDialog = answerTo(raw, "z9hG4bKo1");
      assertEquals(401, RawSip.status(inDialog), inDialog);
      assertTrue(RawSip.header(inDialog, "To").endsWith(";tag=x"), "its own To tag kept: " + inDialog);
      // Credentials, on a nonce we never issued: the stack path's fresh challenge.
      raw.send(register(port, "o2", "", authorization("bm90LW91cnM", "REGISTER", "sip:" + DOMAIN)));
      String unknownNonce = answerTo(raw, "z9hG4bKo2");
      assertEquals(401, RawSip.status(unknownNonce), unknownNonce);
      // A malformed CSeq: the stack's parser refuses it, as before (a 400 or nothing, never a challenge).
      raw.send(register(port, "o3", "", "").replace("CSeq: 1 REGISTER", "CSeq: one REGISTER"));
      raw.send(register(port, "o4", "", "").replace("CSeq: 1 REGISTER", "CSeq: 4 MESSAGE"));
      // A Require: 420 from the stack path's checks.
      raw.send(register(port, "o5", "", "Require: 100rel\n"));
      String require = answerTo(raw, "z9hG4bKo5");
      assertEquals(420, RawSip.status(require), require);
      assertEquals(0, fromBytes(), "none was answered from its bytes");
    }
    try (java.net.Socket tcp = new java.net.Socket("127.0.0.1", server.sipPort())) {
      tcp.setSoTimeout(10_000);
      String request = register(tcp.getLocalPort(), "t1", "", "").replace("SIP/2.0/UDP", "SIP/2.0/TCP");
      tcp.getOutputStream().write(request.replace("\n", "\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
      byte[] buf = new byte[4096];
      int n = tcp.getInputStream().read(buf);
      String answer = new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8);
      assertEquals(401, RawSip.status(answer), "over TCP the stack answers on the connection: " + answer);
      assertEquals(0, fromBytes());
    }
  }

  @Test
  void sippRegistersThroughAChallengeFromBytes() throws Exception {
    Sipp.Result r = Sipp.scenario("register.xml", server.sipPort()).localPort(FreePorts.udpAndTcp())
        .key("domain", DOMAIN).key("aor", "alice").key("contact", "alice-desk").key("expires", "120")
        .auth("alice", "alice-sip-secret").run();
    assertTrue(r.passed(), r::toString);
    assertTrue(r.messages().contains("SIP/2.0 401 Unauthorized"), r::toString);
    assertTrue(fromBytes() >= 1, "SIPp's REGISTER was challenged from its bytes");
    assertEquals(1, server.sip.location().bindings("alice").size());
  }

  @Test
  void aFloodIsRefusedFromTheBytesToo(Vertx vertx, @TempDir Path dir) throws Exception {
    SipTestServer flooded = started(vertx, java.nio.file.Files.createDirectories(dir.resolve("flooded")),
        Map.of("sip.flood.rate", "2"));
    try (RawSip raw = new RawSip(flooded.sipPort())) {
      // In one burst: four admitted (two seconds' worth), then 503 with Retry-After while the reply budget lasts.
      for (int i = 0; i < 12; i++) {
        raw.send(register(raw.localPort(), "f" + i, "", ""));
      }
      String busy = null;
      for (String r = raw.receiveFinal(); r != null && busy == null; r = raw.receiveFinal()) {
        busy = RawSip.status(r) == 503 ? r : null;
      }
      assertNotNull(busy, "a flood gets 503");
      assertEquals("2", RawSip.header(busy, "Retry-After"), busy);
      assertTrue(RawSip.header(busy, "To").matches("<sip:alice@" + DOMAIN + ">;tag=[0-9a-f]{16}"), busy);
      assertTrue(flooded.sip.edge().challengedFromBytes() >= 5, "all of them read from their bytes");
    } finally {
      flooded.stop().await();
    }
  }

  /** The next final answer to the request with this branch, skipping late copies of earlier answers. */
  private static String answerTo(RawSip raw, String branch) throws Exception {
    for (String r = raw.receiveFinal(); r != null; r = raw.receiveFinal()) {
      String via = RawSip.header(r, "Via");
      if (via != null && (via.contains("branch=" + branch + ";") || via.endsWith("branch=" + branch))) {
        return r;
      }
    }
    return null;
  }

  private static String authorization(String nonce, String method, String uri) {
    return RawSip.digestAuthorization("alice", DOMAIN, "alice-sip-secret", nonce, "00000001", method, uri);
  }

  private static String register(int port, String branch, String viaParams, String extra) {
    return """
        REGISTER sip:%s SIP/2.0
        Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%s%s
        Max-Forwards: 70
        From: <sip:alice@%s>;tag=raw%s
        To: <sip:alice@%s>
        Call-ID: raw-%s-%d@127.0.0.1
        CSeq: 1 REGISTER
        Contact: <sip:alice-desk@127.0.0.1:%d>
        Expires: 300
        User-Agent: RawSip
        %sContent-Length: 0

        """.formatted(DOMAIN, port, branch, viaParams, DOMAIN, branch, DOMAIN, branch, port, port, extra);
  }

  private static String message(int port, String branch, String auth) {
    return """
        MESSAGE sip:1001@%s SIP/2.0
        Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%s;rport
        Max-Forwards: 70
        From: <sip:alice@%s>;tag=m%s
        To: <sip:1001@%s>
        Call-ID: raw-message-%d@127.0.0.1
        CSeq: 1 MESSAGE
        Content-Type: text/plain
        %sContent-Length: 2

        hi""".formatted(DOMAIN, port, branch, DOMAIN, branch, DOMAIN, port, auth);
  }
}
