package io.switchboard.core.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.testing.RawSip;
import io.switchboard.core.testing.SipTestServer;
import io.switchboard.core.testing.Sipp;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.sip.message.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIP work spread over the event loops: REGISTERs of many users (SIPp, users from a CSV file) run
 * on several loops, each user's always on the same one, and every binding comes out right; two
 * REGISTERs of one address of record sent back to back keep their CSeq order.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
class EventLoopSpreadTest {

  private static final int LOOPS = 4;
  private static final int USERS = 40;

  private SipTestServer server;
  /** Per To user, the threads its REGISTERs were handled on. */
  private final Map<String, Set<String>> threadsByAor = new ConcurrentHashMap<>();
  /** Per MESSAGE sender, the threads their MESSAGEs (all to one recipient) were handled on. */
  private final Map<String, Set<String>> threadsBySender = new ConcurrentHashMap<>();
  /** Handled on a context that is not one of the edge's. */
  private final List<String> strays = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) throws Exception {
    server = new SipTestServer(vertx, dir, Map.of("sip.event-loops", String.valueOf(LOOPS)));
    server.beforeSipStart.add(s -> {
      SipEdge edge = s.sip.edge();
      SipRequestHandler registrar = edge.handler(Request.REGISTER);
      edge.handle(Request.REGISTER, req -> {
        // The test hook: where the request runs, then the real registrar.
        if (!edge.contexts().contains(Vertx.currentContext())) {
          strays.add(req.callId());
        }
        threadsByAor.computeIfAbsent(SipAffinity.TO_USER.key(req), k -> ConcurrentHashMap.newKeySet())
            .add(Thread.currentThread().getName());
        return registrar.handle(req);
      }, SipAffinity.TO_USER);
      // MESSAGE as the IM module registers it (no transaction over UDP, by conversation), answering 200
      // once the sender is authenticated, and noting where it ran.
      edge.handleWithoutTransaction(Request.MESSAGE, new RetransmissionGuard(req -> s.sip.authenticator()
          .withUser(req, true, user -> {
            if (!edge.contexts().contains(Vertx.currentContext())) {
              strays.add(req.callId());
            }
            threadsBySender.computeIfAbsent(user.username(), k -> ConcurrentHashMap.newKeySet())
                .add(Thread.currentThread().getName());
            return Future.succeededFuture(SipOutcome.reply(javax.sip.message.Response.OK));
          }), java.time.Clock.systemUTC()), SipAffinity.CONVERSATION);
    });
    server.start().await();
  }

  @AfterEach
  void stop() {
    server.stop().await();
  }

  @Test
  void registersOfManyUsersSpreadOverTheLoopsAndEveryBindingIsRight(@TempDir Path dir) throws Exception {
    List<Context> contexts = server.sip.edge().contexts();
    assertEquals(LOOPS, contexts.size());
    Set<String> loopThreads = threadsOf(contexts);
    assertEquals(LOOPS, loopThreads.size(), "each context on an event loop of its own: " + loopThreads);
    // SIP's own loops, none shared with the web console's or the store's completions.
    assertTrue(loopThreads.stream().allMatch(t -> t.startsWith(SipEventLoops.THREAD_PREFIX)), loopThreads.toString());

    StringBuilder csv = new StringBuilder("SEQUENTIAL\n");
    for (int i = 1; i <= USERS; i++) {
      String user = String.format("user%02d", i);
      server.createUser(user, String.valueOf(2000 + i), user + "-secret").await();
      // SIPp expands the keyword taken from the file: each call authenticates as its own user.
      csv.append(user).append(";[authentication username=").append(user).append(" password=").append(user)
          .append("-secret];\n");
    }
    Path users = Files.writeString(dir.resolve("users.csv"), csv);
    int port = io.switchboard.core.testing.FreePorts.udpAndTcp();

    Sipp.Result r = Sipp.scenario("register-users.xml", server.sipPort()).localPort(port).injection(users)
        .authUri(server.domain()).key("domain", server.domain()).key("expires", "600").calls(USERS).run();

    assertTrue(r.passed(), r::toString);
    assertEquals(List.of(), strays, "every REGISTER on one of the edge's contexts");
    for (int i = 1; i <= USERS; i++) {
      String user = String.format("user%02d", i);
      List<Binding> bindings = server.sip.location().bindings(user);
      assertEquals(1, bindings.size(), user + ": " + bindings);
      Binding b = bindings.get(0);
      assertEquals(user, b.username());
      assertTrue(b.contact().startsWith("sip:" + user + "@127.0.0.1:" + port), user + ": " + b.contact());
      assertEquals(2, b.cseq(), user);
      assertTrue(b.remainingSeconds(Instant.now()) > 500, user + " granted its 600 s: " + b);
      assertEquals(Set.of(threadsByAor.get(user).iterator().next()), threadsByAor.get(user),
          user + ": challenge and registration on one loop");
    }
    Set<String> used = threadsByAor.values().stream().flatMap(Set::stream).collect(Collectors.toSet());
    assertTrue(used.size() > 1, "users spread over more than one loop: " + used);
    assertTrue(loopThreads.containsAll(used), used + " within " + loopThreads);
  }

  @Test
  void twoRegistersOfOneAorKeepTheirCseqOrder() throws Exception {
    int pairs = 10;
    for (int i = 1; i <= pairs; i++) {
      server.createUser("pair" + i, String.valueOf(3000 + i), "pair" + i + "-secret").await();
    }
    try (RawSip raw = new RawSip(server.sipPort())) {
      for (int i = 1; i <= pairs; i++) {
        String user = "pair" + i;
        String callId = "order-" + i + "@127.0.0.1";
        String contact = "<sip:" + user + "@127.0.0.1:" + raw.localPort() + ">";
        raw.send(register(raw.localPort(), user, callId, 1, contact, 300, ""));
        String challenge = raw.receiveFinal();
        assertNotNull(challenge, user + ": challenged");
        assertEquals(401, RawSip.status(challenge), challenge);
        String nonce = RawSip.param(challenge, "WWW-Authenticate: Digest", "nonce");
        // Back to back, without waiting: CSeq 2 grants 300 s, CSeq 3 (the later one) 900 s.
        raw.send(register(raw.localPort(), user, callId, 2, contact, 300, auth(user, nonce, "00000001")));
        raw.send(register(raw.localPort(), user, callId, 3, contact, 900, auth(user, nonce, "00000002")));
        Map<Integer, Integer> statusByCseq = new java.util.HashMap<>();
        for (int n = 0; n < 2; n++) {
          String answer = raw.receiveFinal();
          assertNotNull(answer, user + ": both answered");
          statusByCseq.put(cseq(answer), RawSip.status(answer));
        }
        assertEquals(200, statusByCseq.get(3), user + ": the later REGISTER is accepted: " + statusByCseq);
        // The earlier one is accepted before it, or (had the stack swapped them) refused as out of order.
        assertTrue(Set.of(200, 500).contains(statusByCseq.get(2)), user + ": " + statusByCseq);
        List<Binding> bindings = server.sip.location().bindings(user);
        assertEquals(1, bindings.size(), user + ": " + bindings);
        assertEquals(3, bindings.get(0).cseq(), user + ": the later REGISTER's binding stays: " + bindings);
        assertTrue(bindings.get(0).remainingSeconds(Instant.now()) > 600, user + ": its 900 s: " + bindings);
      }
    }
    // In the store too, once the refreshes written behind are written: the later REGISTER's write landed last.
    server.sip.location().flush().await();
    List<Binding> stored = new MongoBindingStore(server.vertx, server.store).loadAll().await().stream()
        .filter(b -> b.username().startsWith("pair")).toList();
    assertEquals(pairs, stored.size(), stored.toString());
    assertTrue(stored.stream().allMatch(b -> b.cseq() == 3), stored.toString());
  }

  @Test
  void messagesOfManySendersToOneRecipientSpreadAndEachSendersStayOnOneLoop() throws Exception {
    int senders = 16;
    int each = 3;
    server.createUser("desk", "3999", "desk-secret").await();
    for (int i = 1; i <= senders; i++) {
      server.createUser("snd" + i, String.valueOf(3100 + i), "snd" + i + "-secret").await();
    }
    try (RawSip raw = new RawSip(server.sipPort())) {
      for (int i = 1; i <= senders; i++) {
        String user = "snd" + i;
        for (int n = 1; n <= each; n++) {
          String callId = "conv-" + i + "-" + n + "@127.0.0.1";
          raw.send(message(raw.localPort(), user, callId, 1, ""));
          String challenge = raw.receiveFinal();
          assertNotNull(challenge, user + ": challenged");
          assertEquals(407, RawSip.status(challenge), challenge);
          String nonce = RawSip.param(challenge, "Proxy-Authenticate: Digest", "nonce");
          String auth = RawSip.digestAuthorization(user, server.domain(), user + "-secret", nonce, "00000001", "MESSAGE",
              "sip:desk@" + server.domain()).replace("Authorization:", "Proxy-Authorization:");
          raw.send(message(raw.localPort(), user, callId, 2, auth));
          String ok = raw.receiveFinal();
          assertNotNull(ok, user + ": answered");
          assertEquals(200, RawSip.status(ok), ok);
        }
      }
    }
    assertEquals(senders, threadsBySender.size(), threadsBySender.toString());
    threadsBySender.forEach((sender, threads) -> assertEquals(1, threads.size(),
        sender + ": every MESSAGE of one sender to one recipient on one loop, in order: " + threads));
    Set<String> used = threadsBySender.values().stream().flatMap(Set::stream).collect(Collectors.toSet());
    assertTrue(used.size() > 1, "senders to one recipient spread over more than one loop: " + used);
    assertTrue(threadsOf(server.sip.edge().contexts()).containsAll(used), used.toString());
    assertTrue(strays.isEmpty(), "handled off the edge's contexts: " + strays);
  }

  private static String message(int port, String user, String callId, int cseq, String auth) {
    return """
        MESSAGE sip:desk@switchboard.test SIP/2.0
        Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKconv%s%d
        Max-Forwards: 70
        From: <sip:%s@switchboard.test>;tag=conv
        To: <sip:desk@switchboard.test>
        Call-ID: %s
        CSeq: %d MESSAGE
        Content-Type: text/plain
        %sContent-Length: 2

        hi""".formatted(port, callId.replaceAll("[^a-z0-9]", ""), cseq, user, callId, cseq, auth);
  }

  private static Set<String> threadsOf(List<Context> contexts) {
    List<Future<String>> names = new ArrayList<>();
    for (Context c : contexts) {
      names.add(Future.future(p -> c.runOnContext(v -> p.complete(Thread.currentThread().getName()))));
    }
    return names.stream().map(f -> f.await()).collect(Collectors.toSet());
  }

  private String auth(String user, String nonce, String nc) {
    return RawSip.digestAuthorization(user, server.domain(), user + "-secret", nonce, nc, "REGISTER", "sip:" + server.domain());
  }

  private static int cseq(String message) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^CSeq: (\\d+) ").matcher(message);
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  private static String register(int port, String user, String callId, int cseq, String contact, int expires,
      String auth) {
    return """
        REGISTER sip:switchboard.test SIP/2.0
        Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKorder%s%d
        Max-Forwards: 70
        From: <sip:%s@switchboard.test>;tag=order
        To: <sip:%s@switchboard.test>
        Call-ID: %s
        CSeq: %d REGISTER
        Contact: %s
        Expires: %d
        %sContent-Length: 0

        """.formatted(port, callId.replaceAll("[^a-z0-9]", ""), cseq, user, user, callId, cseq, contact, expires, auth);
  }
}
