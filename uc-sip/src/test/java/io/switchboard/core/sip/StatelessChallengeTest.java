package io.switchboard.core.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.testing.RawSip;
import io.switchboard.core.testing.SipTestServer;
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
 * Requests without credentials are challenged before any state exists (no server transaction),
 * with the headers RFC 3261 §8.2.6 asks of any response, and a retransmission gets the same
 * challenge again (same nonce, same To tag), as a transaction would have re-sent it; another
 * request gets another nonce. A REGISTER over UDP gets no transaction at all: the registrar answers
 * its retransmission with the same 200, while the same credentials in a new request are a replay.
 * Raw UDP, so that the exact bytes can be checked.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class StatelessChallengeTest {

  private static final String DOMAIN = "switchboard.test";

  private SipTestServer server;
  private final java.util.concurrent.atomic.AtomicInteger messagesHandled = new java.util.concurrent.atomic.AtomicInteger();
  /** Per MESSAGE reaching the handler: whether the edge handed its credentials on, screened. */
  private final java.util.List<Boolean> messagesScreened = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** DIGEST_FAILED security events, in order. */
  private final java.util.concurrent.BlockingQueue<io.switchboard.api.SecurityEvent> digestFailures =
      new java.util.concurrent.LinkedBlockingQueue<>();

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) throws Exception {
    server = new SipTestServer(vertx, dir, Map.of());
    // A MESSAGE handler that needs a user, as the IM module's does (challenged with 407), and like
    // it without a transaction over UDP, its retransmissions answered by the guard.
    server.beforeSipStart.add(s -> s.sip.edge().handleWithoutTransaction(Request.MESSAGE, new RetransmissionGuard(
        req -> {
          messagesScreened.add(req.screened() != null);
          return s.sip.authenticator().withUser(req, true, user -> {
            messagesHandled.incrementAndGet();
            return Future.succeededFuture(SipOutcome.reply(Response.OK));
          });
        }, java.time.Clock.systemUTC()), SipAffinity.RECIPIENT));
    vertx.eventBus().<io.vertx.core.json.JsonObject>consumer(io.switchboard.api.EventAddresses.SECURITY_EVENT, m -> {
      io.switchboard.api.SecurityEvent e = io.switchboard.api.SecurityEvent.fromJson(m.body());
      if (e.kind() == io.switchboard.api.SecurityEvent.Kind.DIGEST_FAILED) {
        digestFailures.add(e);
      }
    });
    server.start().await();
    server.createUser("alice", "1001", "alice-sip-secret").await();
  }

  @AfterEach
  void stop() {
    server.stop().await();
  }

  private int serverTransactions() {
    return server.sip.edge().serverTransactions();
  }

  @Test
  void aRetransmittedFirstRegisterGetsTheSameChallengeAndNoTransaction() throws Exception {
    try (RawSip raw = new RawSip(server.sipPort())) {
      String first = register(raw.localPort(), "b1", 1, "");
      raw.send(first);
      String challenge = raw.receiveFinal();
      String again = retransmit(raw, first);
      raw.send(register(raw.localPort(), "b1x", 1, "")); // another request (new branch)
      String other = answerTo(raw, "z9hG4bKb1x");

      assertEquals(401, RawSip.status(challenge), challenge);
      String nonce = RawSip.param(challenge, "WWW-Authenticate: Digest", "nonce");
      assertNotNull(nonce, challenge);
      assertEquals(challenge, again, "a retransmission gets the same response, so that the client sees a retransmission");
      assertNotEquals(nonce, RawSip.param(other, "WWW-Authenticate: Digest", "nonce"), "another request, another nonce");
      assertNotEquals(RawSip.header(challenge, "To"), RawSip.header(other, "To"));
      assertEquals(DOMAIN, RawSip.param(challenge, "WWW-Authenticate: Digest", "realm"), challenge);
      // RFC 3261 §8.2.6.2: Via, From, Call-ID and CSeq copied, a To tag added.
      assertTrue(RawSip.header(challenge, "Via").startsWith("SIP/2.0/UDP 127.0.0.1:" + raw.localPort() + ";branch=z9hG4bKb1"),
          challenge);
      assertEquals("<sip:alice@" + DOMAIN + ">;tag=st", RawSip.header(challenge, "From"), challenge);
      assertTrue(RawSip.header(challenge, "To").matches("<sip:alice@" + DOMAIN + ">;tag=.+"), challenge);
      assertEquals("stateless-" + raw.localPort() + "@127.0.0.1", RawSip.header(challenge, "Call-ID"), challenge);
      assertEquals("1 REGISTER", RawSip.header(challenge, "CSeq"), challenge);
      assertEquals(0, serverTransactions(), "the challenges left no transaction behind");

      // The credentials on that nonce register, without a transaction: a retransmission gets the same 200.
      String withCredentials = register(raw.localPort(), "b2", 2, authorization(nonce, "REGISTER", "sip:" + DOMAIN));
      raw.send(withCredentials);
      String ok = answerTo(raw, "z9hG4bKb2");
      assertEquals(200, RawSip.status(ok), ok);
      String okAgain = retransmit(raw, withCredentials);
      assertEquals(200, RawSip.status(okAgain), "a retransmission is not an old CSeq: " + okAgain);
      assertEquals(RawSip.header(ok, "To"), RawSip.header(okAgain, "To"), "the same response again");
      assertEquals(RawSip.header(ok, "Contact"), RawSip.header(okAgain, "Contact"));
      assertEquals(0, serverTransactions(), "a REGISTER over UDP needs no transaction");
      assertEquals(1, server.sip.location().bindings("alice").size());

      // The same credentials in a new request (another branch) are a replayed nonce count: challenged.
      raw.send(withCredentials.replace("z9hG4bKb2", "z9hG4bKb3"));
      String replay = answerTo(raw, "z9hG4bKb3");
      assertEquals(401, RawSip.status(replay), replay);
    }
  }

  /**
   * Without a transaction, a REGISTER's retransmission that comes after a later REGISTER of the same
   * user (SIPp's B at thousands a second: every user several times a second) is not the registrar's
   * last answer any more and reaches the digest check again: the same request, not a replay of its
   * credentials, so it is registered and answered 200 again, with no DIGEST_FAILED event (a phone on
   * a lossy network must not count as an attacker). The same credentials in a new request still are one.
   */
  @Test
  void aRegisterRetransmittedAfterALaterOneIsAnsweredAgainNotChallenged() throws Exception {
    try (RawSip raw = new RawSip(server.sipPort())) {
      String first = registerWithCredentials(raw, "first", "r1");
      String ok = answerTo(raw, "z9hG4bKr1-auth");
      assertEquals(200, RawSip.status(ok), ok);
      String later = registerWithCredentials(raw, "later", "r2");
      assertEquals(200, RawSip.status(answerTo(raw, "z9hG4bKr2-auth")));

      raw.send(first); // the first REGISTER again, as its sender's Timer E would
      String again = answerTo(raw, "z9hG4bKr1-auth");
      assertEquals(200, RawSip.status(again), "a retransmission, not a replay: " + again);
      assertEquals(RawSip.header(ok, "To"), RawSip.header(again, "To"), "answered as the same request");
      assertTrue(RawSip.header(again, "Contact").startsWith("<sip:alice-desk@127.0.0.1:" + raw.localPort()), again);

      // The later REGISTER's credentials in a new request are a replay: challenged, and reported.
      raw.send(later.replace("z9hG4bKr2-auth", "z9hG4bKr3-auth"));
      String replay = answerTo(raw, "z9hG4bKr3-auth");
      assertEquals(401, RawSip.status(replay), replay);
      io.switchboard.api.SecurityEvent reported = digestFailures.poll(10, TimeUnit.SECONDS);
      assertNotNull(reported, "the replay is a DIGEST_FAILED event");
      assertTrue(reported.detail().contains("replayed"), reported.detail());
      assertEquals(0, digestFailures.size(), "the retransmission was no DIGEST_FAILED: " + digestFailures);
      assertEquals(0, serverTransactions());
    }
  }

  /**
   * A MESSAGE over UDP has its credentials screened once, on the stack's thread before the hand-off,
   * and checked against the secret by the handler without a second screen; the check itself is
   * never skipped: a wrong digest is still refused (403, a DIGEST_FAILED event) and the handler's
   * work never runs, the right one is accepted.
   */
  @Test
  void aMessageIsScreenedOnceAndAWrongDigestIsStillRefused() throws Exception {
    try (RawSip raw = new RawSip(server.sipPort())) {
      raw.send(message(raw.localPort(), ""));
      String nonce = RawSip.param(raw.receiveFinal(), "Proxy-Authenticate: Digest", "nonce");
      String wrong = RawSip.digestAuthorization("alice", DOMAIN, "not-alice-secret", nonce, "00000001", "MESSAGE",
          "sip:1001@" + DOMAIN).replace("Authorization:", "Proxy-Authorization:");
      raw.send(message(raw.localPort(), wrong).replace("z9hG4bKm1", "z9hG4bKw2").replace("CSeq: 1 ", "CSeq: 2 "));
      String refused = answerTo(raw, "z9hG4bKw2");
      assertEquals(403, RawSip.status(refused), refused);
      io.switchboard.api.SecurityEvent reported = digestFailures.poll(10, TimeUnit.SECONDS);
      assertNotNull(reported, "a wrong digest is a DIGEST_FAILED event");
      assertEquals("alice", reported.who());
      assertEquals(0, messagesHandled.get(), "a wrong digest never reaches the handler's work");

      raw.send(message(raw.localPort(), "").replace("z9hG4bKm1", "z9hG4bKw3").replace("CSeq: 1 ", "CSeq: 3 "));
      String fresh = RawSip.param(answerTo(raw, "z9hG4bKw3"), "Proxy-Authenticate: Digest", "nonce");
      String right = authorization(fresh, "MESSAGE", "sip:1001@" + DOMAIN).replace("Authorization:", "Proxy-Authorization:");
      raw.send(message(raw.localPort(), right).replace("z9hG4bKm1", "z9hG4bKw4").replace("CSeq: 1 ", "CSeq: 4 "));
      String ok = answerTo(raw, "z9hG4bKw4");
      assertEquals(200, RawSip.status(ok), ok);
      assertEquals(1, messagesHandled.get());
      assertEquals(java.util.List.of(true, true), messagesScreened,
          "both MESSAGEs with credentials reached the handler screened by the edge");
      assertEquals(0, digestFailures.size(), "the right digest is no failure: " + digestFailures);
    }
  }

  /**
   * A REGISTER with its own Call-ID, challenged and then sent with credentials (branch
   * {@code z9hG4bK<branch>-auth}), as SIPp's B scenario does; the challenge is read here.
   *
   * @return the REGISTER with credentials, as sent
   */
  private String registerWithCredentials(RawSip raw, String callId, String branch) throws Exception {
    String unauthenticated = register(raw.localPort(), branch, 1, "").replace("stateless-", callId + "-");
    raw.send(unauthenticated);
    String challenge = answerTo(raw, "z9hG4bK" + branch);
    String nonce = RawSip.param(challenge, "WWW-Authenticate: Digest", "nonce");
    String withCredentials = register(raw.localPort(), branch + "-auth", 2,
        authorization(nonce, "REGISTER", "sip:" + DOMAIN)).replace("stateless-", callId + "-");
    raw.send(withCredentials);
    return withCredentials;
  }

  @Test
  void aMessageWithoutCredentialsGetsA407WithoutATransaction() throws Exception {
    try (RawSip raw = new RawSip(server.sipPort())) {
      raw.send(message(raw.localPort(), ""));
      String challenge = raw.receiveFinal();
      assertEquals(407, RawSip.status(challenge), challenge);
      assertNotNull(RawSip.param(challenge, "Proxy-Authenticate: Digest", "nonce"), challenge);
      assertEquals(0, serverTransactions());
    }
  }

  @Test
  void aRetransmittedMessageIsHandledOnceAndAnsweredAgainWithoutATransaction() throws Exception {
    try (RawSip raw = new RawSip(server.sipPort())) {
      raw.send(message(raw.localPort(), ""));
      String challenge = raw.receiveFinal();
      String nonce = RawSip.param(challenge, "Proxy-Authenticate: Digest", "nonce");
      String auth = authorization(nonce, "MESSAGE", "sip:1001@" + DOMAIN).replace("Authorization:", "Proxy-Authorization:");
      String withCredentials = message(raw.localPort(), auth).replace("z9hG4bKm1", "z9hG4bKm2").replace("CSeq: 1 ", "CSeq: 2 ");
      raw.send(withCredentials);
      String ok = answerTo(raw, "z9hG4bKm2");
      String okAgain = retransmit(raw, withCredentials);

      assertEquals(200, RawSip.status(ok), ok);
      assertEquals(200, RawSip.status(okAgain), "a retransmission gets the answer again, not a replay's 407: " + okAgain);
      assertEquals(RawSip.header(ok, "To"), RawSip.header(okAgain, "To"), "the same response again");
      assertEquals(1, messagesHandled.get(), "a retransmission is not handled again (no second delivery)");
      assertEquals(0, serverTransactions(), "a MESSAGE over UDP needs no transaction");

      // The same credentials in a new request (another branch) are a replayed nonce count: challenged.
      raw.send(withCredentials.replace("z9hG4bKm2", "z9hG4bKm3"));
      String replay = answerTo(raw, "z9hG4bKm3");
      assertEquals(407, RawSip.status(replay), replay);
      assertEquals(1, messagesHandled.get());
    }
  }

  @Test
  void aFloodOfUnauthenticatedRequestsLeavesNoTransaction() throws Exception {
    int count = 200;
    try (RawSip raw = new RawSip(server.sipPort())) {
      // In bursts of ten, so that no answer is lost in a full socket buffer on a busy machine.
      for (int burst = 0; burst < count; burst += 10) {
        for (int i = burst; i < burst + 10; i++) {
          raw.send(register(raw.localPort(), "flood" + i, 1, "").replace("stateless-", "flood" + i + "-"));
        }
        for (int i = burst; i < burst + 10; i++) {
          String r = raw.receiveFinal();
          assertEquals(401, RawSip.status(r), "answer " + i + ": " + r);
        }
      }
    }
    assertEquals(0, serverTransactions(), "an unauthenticated flood makes no transaction");
    assertTrue(eventually(() -> pendingTransactions() == 0), "nor leaves one pending in the stack");
  }

  @Test
  void requestsOverTcpAreStillChallengedOnTheirConnection() throws Exception {
    try (java.net.Socket tcp = new java.net.Socket("127.0.0.1", server.sipPort())) {
      tcp.setSoTimeout(10_000);
      String request = register(tcp.getLocalPort(), "t1", 1, "").replace("SIP/2.0/UDP", "SIP/2.0/TCP");
      tcp.getOutputStream().write(request.replace("\n", "\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
      byte[] buf = new byte[4096];
      int n = tcp.getInputStream().read(buf);
      String answer = new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8);
      assertEquals(401, RawSip.status(answer), "over TCP the answer takes the request's connection: " + answer);
    }
  }

  /**
   * Sends a request again as a client retransmits it (Timer E), until it is answered: a copy that
   * arrives while the stack is still finishing the first one is absorbed, as a transaction would.
   */
  private static String retransmit(RawSip raw, String request) throws Exception {
    raw.timeout(1000);
    try {
      for (int i = 0; i < 8; i++) {
        raw.send(request);
        String answer = raw.receiveFinal();
        if (answer != null) {
          return answer;
        }
      }
      return null;
    } finally {
      raw.timeout(5000);
    }
  }

  /** The next final answer to the request with this branch, skipping late copies of earlier answers. */
  private static String answerTo(RawSip raw, String branch) throws Exception {
    for (String r = raw.receiveFinal(); r != null; r = raw.receiveFinal()) {
      if (RawSip.header(r, "Via").contains("branch=" + branch + ";") || RawSip.header(r, "Via").endsWith("branch=" + branch)) {
        return r;
      }
    }
    return null;
  }

  /** Whether {@code condition} holds within 10 s, checked every 50 ms on a timer. */
  private boolean eventually(java.util.concurrent.Callable<Boolean> condition) {
    io.vertx.core.Promise<Boolean> held = io.vertx.core.Promise.promise();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    long timer = server.vertx.setPeriodic(50, id -> {
      try {
        if (condition.call() || System.nanoTime() > deadline) {
          held.tryComplete(condition.call());
        }
      } catch (Exception e) {
        held.tryFail(e);
      }
    });
    try {
      return held.future().await();
    } finally {
      server.vertx.cancelTimer(timer);
    }
  }

  /** The stack's transactions handed to the listener and not yet taken or dropped (JAIN-SIP keeps them privately). */
  private int pendingTransactions() throws ReflectiveOperationException {
    // Each is dropped once the listener returns, just after the answer was sent.
    java.lang.reflect.Field stack = SipEdge.class.getDeclaredField("stack");
    stack.setAccessible(true);
    java.lang.reflect.Field pending = gov.nist.javax.sip.stack.SIPTransactionStack.class.getDeclaredField("pendingTransactions");
    pending.setAccessible(true);
    return ((Map<?, ?>) pending.get(stack.get(server.sip.edge()))).size();
  }

  private static String authorization(String nonce, String method, String uri) {
    return RawSip.digestAuthorization("alice", DOMAIN, "alice-sip-secret", nonce, "00000001", method, uri);
  }

  private static String register(int port, String branch, int cseq, String auth) {
    return """
        REGISTER sip:%s SIP/2.0
        Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%s
        Max-Forwards: 70
        From: <sip:alice@%s>;tag=st
        To: <sip:alice@%s>
        Call-ID: stateless-%d@127.0.0.1
        CSeq: %d REGISTER
        Contact: <sip:alice-desk@127.0.0.1:%d>
        Expires: 300
        %sContent-Length: 0

        """.formatted(DOMAIN, port, branch, DOMAIN, DOMAIN, port, cseq, port, auth);
  }

  private static String message(int port, String auth) {
    return """
        MESSAGE sip:1001@%s SIP/2.0
        Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKm1
        Max-Forwards: 70
        From: <sip:alice@%s>;tag=m1
        To: <sip:1001@%s>
        Call-ID: message-%d@127.0.0.1
        CSeq: 1 MESSAGE
        Content-Type: text/plain
        %sContent-Length: 2

        hi""".formatted(DOMAIN, port, DOMAIN, DOMAIN, port, auth);
  }
}
