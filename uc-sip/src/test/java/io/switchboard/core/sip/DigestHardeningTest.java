package io.switchboard.core.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.EventAddresses;
import io.switchboard.api.SecurityEvent;
import io.switchboard.core.security.Digest;
import io.switchboard.core.testing.RawSip;
import io.switchboard.core.testing.SipTestServer;
import io.switchboard.core.testing.Sipp;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Captured credentials replayed over a raw UDP socket (same nc, lower nc, another Request-URI,
 * another realm), auth-int, the per-source failure block and the per-source flood limit, asserted
 * on the wire, in the location service and on the security event address.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class DigestHardeningTest {

  private static final String DOMAIN = "switchboard.test";
  private static final String PASSWORD = "alice-sip-secret";

  private SipTestServer server;
  private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
  private final List<Runnable> eventWaiters = new CopyOnWriteArrayList<>();

  private void start(Vertx vertx, Path dir, Map<String, String> settings) throws Exception {
    server = new SipTestServer(vertx, dir, settings);
    server.start().await();
    server.createUser("alice", "1001", PASSWORD).await();
    vertx.eventBus().<JsonObject>consumer(EventAddresses.SECURITY_EVENT, m -> {
      events.add(SecurityEvent.fromJson(m.body()));
      eventWaiters.forEach(Runnable::run);
    }).completion().await();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop().await();
    }
  }

  /** The first security event matching, awaited (bounded) rather than slept for. */
  private SecurityEvent awaitEvent(Predicate<SecurityEvent> wanted) throws Exception {
    Promise<SecurityEvent> found = Promise.promise();
    Runnable check = () -> events.stream().filter(wanted).findFirst().ifPresent(found::tryComplete);
    eventWaiters.add(check);
    check.run();
    return found.future().await(10, TimeUnit.SECONDS);
  }

  private List<Binding> bindings() {
    return server.sip.location().bindings("alice");
  }

  private static String register(RawSip raw, String requestUri, String callId, int cseq, String contactUser,
      String authorization) {
    return """
        REGISTER %s SIP/2.0
        Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK%s%d
        Max-Forwards: 70
        From: <sip:alice@switchboard.test>;tag=t-%s
        To: <sip:alice@switchboard.test>
        Call-ID: %s@127.0.0.1
        CSeq: %d REGISTER
        Contact: <sip:%s@%s:%d>
        Expires: 300
        %sContent-Length: 0

        """.formatted(requestUri, raw.localHost(), raw.localPort(), callId, cseq, callId, callId, cseq, contactUser,
        raw.localHost(), raw.localPort(), authorization == null ? "" : authorization + "\n");
  }

  /** A fresh nonce from a 401. */
  private static String challenge(RawSip raw, String callId) throws Exception {
    raw.send(register(raw, "sip:" + DOMAIN, callId, 1, "probe", null));
    String answer = raw.receiveFinal();
    assertEquals(401, RawSip.status(answer), answer);
    return RawSip.param(answer, "WWW-Authenticate: Digest", "nonce");
  }

  /** Authorization for REGISTER with qop, as a phone computes it. */
  private static String credentials(String realm, String password, String nonce, String uri, String nc, String qop,
      String algorithm) {
    String ha1 = Digest.ha1(algorithm, "alice", realm, password);
    String response = Digest.response(algorithm, ha1, nonce, nc, "c0ffee", qop, "REGISTER", uri);
    return "Authorization: Digest username=\"alice\", realm=\"" + realm + "\", nonce=\"" + nonce + "\", uri=\"" + uri
        + "\", response=\"" + response + "\", algorithm=" + algorithm + ", qop=" + qop + ", nc=" + nc
        + ", cnonce=\"c0ffee\"";
  }

  private static String credentials(String nonce, String nc) {
    return credentials(DOMAIN, PASSWORD, nonce, "sip:" + DOMAIN, nc, "auth", Digest.MD5);
  }

  private boolean bound(String contactUser) {
    return bindings().stream().anyMatch(b -> b.contact().contains(contactUser + "@"));
  }

  @Test
  void aReplayedRegisterWithTheSameNonceCountIsChallengedAndBindsNothing(Vertx vertx, @TempDir Path dir)
      throws Exception {
    start(vertx, dir, Map.of());
    try (RawSip raw = new RawSip(server.sipPort())) {
      String nonce = challenge(raw, "c1");
      String captured = credentials(nonce, "00000001");
      raw.send(register(raw, "sip:" + DOMAIN, "c1", 2, "alice-desk", captured));
      String ok = raw.receiveFinal();
      assertEquals(200, RawSip.status(ok), ok);

      // The attacker's copy: another Call-ID, branch and Contact, the same Authorization.
      raw.send(register(raw, "sip:" + DOMAIN, "evil", 1, "mallory", captured));
      String replayed = raw.receiveFinal();
      assertEquals(401, RawSip.status(replayed), "a fresh challenge, not the request served: " + replayed);
      String fresh = RawSip.param(replayed, "WWW-Authenticate: Digest", "nonce");
      assertNotNull(fresh);
      assertFalse(fresh.equals(nonce), "a new nonce");
      assertFalse(replayed.contains("stale=true"), replayed);
    }
    assertTrue(bound("alice-desk"));
    assertFalse(bound("mallory"), "nothing stored for the replay: " + bindings());
    SecurityEvent failed = awaitEvent(e -> e.kind() == SecurityEvent.Kind.DIGEST_FAILED);
    assertEquals("alice", failed.who());
    assertTrue(failed.source().startsWith("127.0.0.1:"), failed.source());
    assertTrue(failed.detail().contains("replayed"), failed.detail());
  }

  @Test
  void aLowerNonceCountIsRefusedAndHigherOnesServeEachOnce(Vertx vertx, @TempDir Path dir) throws Exception {
    start(vertx, dir, Map.of());
    try (RawSip raw = new RawSip(server.sipPort())) {
      String nonce = challenge(raw, "l1");
      raw.send(register(raw, "sip:" + DOMAIN, "l1", 2, "dev-a", credentials(nonce, "00000001")));
      assertEquals(200, RawSip.status(raw.receiveFinal()));
      raw.send(register(raw, "sip:" + DOMAIN, "l2", 1, "dev-b", credentials(nonce, "00000002")));
      assertEquals(200, RawSip.status(raw.receiveFinal()), "the next count on the same nonce serves");

      raw.send(register(raw, "sip:" + DOMAIN, "l3", 1, "mallory-1", credentials(nonce, "00000001")));
      assertEquals(401, RawSip.status(raw.receiveFinal()), "nc 1 again, below 2");

      raw.send(register(raw, "sip:" + DOMAIN, "l4", 1, "dev-c", credentials(nonce, "00000080")));
      assertEquals(200, RawSip.status(raw.receiveFinal()));
      raw.send(register(raw, "sip:" + DOMAIN, "l5", 1, "mallory-2", credentials(nonce, "00000003")));
      assertEquals(401, RawSip.status(raw.receiveFinal()), "far below the highest count seen");
    }
    assertTrue(bound("dev-a") && bound("dev-b") && bound("dev-c"), bindings().toString());
    assertFalse(bound("mallory-1") || bound("mallory-2"), bindings().toString());
  }

  @Test
  void credentialsForAnotherRequestUriAreABadRequest(Vertx vertx, @TempDir Path dir) throws Exception {
    start(vertx, dir, Map.of());
    try (RawSip raw = new RawSip(server.sipPort())) {
      String nonce = challenge(raw, "u1");
      // Right password, fresh nonce, but computed for sip:switchboard.test and sent to another URI.
      raw.send(register(raw, "sip:alice@" + DOMAIN, "u1", 2, "mallory", credentials(nonce, "00000001")));
      String answer = raw.receiveFinal();
      assertEquals(400, RawSip.status(answer), answer);
      assertTrue(answer.startsWith("SIP/2.0 400 Digest uri does not match the Request-URI"), answer);
    }
    assertFalse(bound("mallory"));
    assertTrue(awaitEvent(e -> e.kind() == SecurityEvent.Kind.DIGEST_FAILED).detail().contains("uri"));
  }

  @Test
  void anotherRealmOrAnAlgorithmNotOfferedIsChallengedAgain(Vertx vertx, @TempDir Path dir) throws Exception {
    start(vertx, dir, Map.of());
    try (RawSip raw = new RawSip(server.sipPort())) {
      String nonce = challenge(raw, "r1");
      String elsewhere = credentials("elsewhere.test", PASSWORD, nonce, "sip:" + DOMAIN, "00000001", "auth", Digest.MD5);
      raw.send(register(raw, "sip:" + DOMAIN, "r1", 2, "mallory-realm", elsewhere));
      assertEquals(401, RawSip.status(raw.receiveFinal()), "not our realm");

      String sha = credentials(DOMAIN, PASSWORD, nonce, "sip:" + DOMAIN, "00000001", "auth", Digest.SHA_256);
      raw.send(register(raw, "sip:" + DOMAIN, "r2", 1, "mallory-sha", sha));
      assertEquals(401, RawSip.status(raw.receiveFinal()), "SHA-256 was not offered (MD5 only by default)");
    }
    assertEquals(List.of(), bindings());
    assertTrue(awaitEvent(e -> e.detail().contains("realm elsewhere.test")).kind() == SecurityEvent.Kind.DIGEST_FAILED);
    assertTrue(awaitEvent(e -> e.detail().contains("algorithm SHA-256")).kind() == SecurityEvent.Kind.DIGEST_FAILED);
  }

  @Test
  void rightCredentialsOnANonceFromBeforeARestartAreStale(Vertx vertx, @TempDir Path dir) throws Exception {
    start(vertx, dir, Map.of());
    String nonce;
    try (RawSip raw = new RawSip(server.sipPort())) {
      nonce = challenge(raw, "s1");
    }
    Path data = server.config.store().dataDir();
    server.stop().await();
    server = new SipTestServer(vertx, data, Map.of());
    server.start().await();
    try (RawSip raw = new RawSip(server.sipPort())) {
      raw.send(register(raw, "sip:" + DOMAIN, "s1", 2, "alice-stale", credentials(nonce, "00000001")));
      String answer = raw.receiveFinal();
      assertEquals(401, RawSip.status(answer), answer);
      assertTrue(answer.contains("stale=true"), "the phone may retry at once: " + answer);
      String fresh = RawSip.param(answer, "WWW-Authenticate: Digest", "nonce");
      raw.send(register(raw, "sip:" + DOMAIN, "s1", 3, "alice-stale", credentials(fresh, "00000001")));
      assertEquals(200, RawSip.status(raw.receiveFinal()));
    }
    assertTrue(bound("alice-stale"));
  }

  @Test
  void authIntIsAccepted(Vertx vertx, @TempDir Path dir) throws Exception {
    start(vertx, dir, Map.of());
    try (RawSip raw = new RawSip(server.sipPort())) {
      String nonce = challenge(raw, "i1");
      raw.send(register(raw, "sip:" + DOMAIN, "i1", 2, "alice-int",
          credentials(DOMAIN, PASSWORD, nonce, "sip:" + DOMAIN, "00000001", "auth-int", Digest.MD5)));
      String ok = raw.receiveFinal();
      assertEquals(200, RawSip.status(ok), ok);
    }
    assertTrue(bound("alice-int"));
  }

  @Test
  void aSourceThatKeepsFailingIsRefusedWithoutACheckWhileAnotherRegisters(Vertx vertx, @TempDir Path dir)
      throws Exception {
    start(vertx, dir, Map.of("sip.auth.max-failures", "3", "sip.auth.failure-window", "60",
        "sip.auth.block-time", "300"));
    try (RawSip raw = new RawSip(server.sipPort())) {
      String nonce = challenge(raw, "f0");
      String spare = challenge(raw, "f00");
      for (int i = 1; i <= 3; i++) {
        raw.send(register(raw, "sip:" + DOMAIN, "f" + i, 1, "guess",
            credentials(DOMAIN, "guess-" + i, nonce, "sip:" + DOMAIN, "0000000" + i, "auth", Digest.MD5)));
        assertEquals(403, RawSip.status(raw.receiveFinal()), "wrong password " + i);
      }
      SecurityEvent throttled = awaitEvent(e -> e.kind() == SecurityEvent.Kind.SOURCE_THROTTLED);
      assertTrue(throttled.source().startsWith("127.0.0.1:"), throttled.source());
      assertEquals(3, events.stream().filter(e -> e.kind() == SecurityEvent.Kind.DIGEST_FAILED).count());

      // The right password on an unused nonce: refused all the same, the digest is not even looked at.
      raw.send(register(raw, "sip:" + DOMAIN, "f4", 1, "alice-blocked", credentials(spare, "00000001")));
      assertEquals(403, RawSip.status(raw.receiveFinal()));
      raw.send(register(raw, "sip:" + DOMAIN, "f5", 1, "alice-blocked", null));
      assertEquals(403, RawSip.status(raw.receiveFinal()), "no challenge for a blocked source either");
    }
    assertFalse(bound("alice-blocked"));
    assertEquals(1, events.stream().filter(e -> e.kind() == SecurityEvent.Kind.SOURCE_THROTTLED).count(),
        "one line when the block starts");
    for (SecurityEvent e : events) {
      assertFalse(e.detail().contains("response=") || e.detail().contains("nonce="), "no secrets: " + e);
    }

    Sipp.Result other = Sipp.scenario("register.xml", server.sipPort()).localAddress("127.0.0.2")
        .key("domain", DOMAIN).key("aor", "alice").key("contact", "alice-other").key("expires", "120")
        .auth("alice", PASSWORD).run();
    assertTrue(other.passed(), other::toString);
    assertTrue(bound("alice-other"), "another source still registers");
  }

  @Test
  void aFloodFromOneSourceGets503WhileAnotherSourceIsServed(Vertx vertx, @TempDir Path dir) throws Exception {
    start(vertx, dir, Map.of("sip.flood.rate", "20"));
    Map<Integer, Integer> statuses = new HashMap<>();
    int sent = 300;
    try (RawSip raw = new RawSip(server.sipPort())) {
      for (int i = 0; i < sent; i++) {
        raw.send("""
            OPTIONS sip:switchboard.test SIP/2.0
            Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKflood%d
            Max-Forwards: 70
            From: <sip:flood@switchboard.test>;tag=f
            To: <sip:switchboard.test>
            Call-ID: flood-%d@127.0.0.1
            CSeq: 1 OPTIONS
            Content-Length: 0

            """.formatted(raw.localPort(), i, i));
      }
      raw.timeout(3000);
      for (String r = raw.receiveFinal(); r != null; r = raw.receiveFinal()) {
        statuses.merge(RawSip.status(r), 1, Integer::sum);
        if (RawSip.status(r) == 503) {
          assertTrue(r.contains("Retry-After: "), r);
        }
      }
    }
    assertTrue(statuses.getOrDefault(503, 0) > 0, "some 503: " + statuses);
    assertTrue(statuses.getOrDefault(200, 0) > 0, "the burst was served: " + statuses);
    int answered = statuses.values().stream().mapToInt(Integer::intValue).sum();
    assertTrue(answered < sent, "the rest of the flood is dropped unanswered: " + statuses);
    SecurityEvent throttled = awaitEvent(e -> e.kind() == SecurityEvent.Kind.SOURCE_THROTTLED);
    assertEquals("127.0.0.1", throttled.source());
    assertNull(throttled.who());

    Sipp.Result other = Sipp.scenario("register.xml", server.sipPort()).localAddress("127.0.0.2")
        .key("domain", DOMAIN).key("aor", "alice").key("contact", "alice-calm").key("expires", "120")
        .auth("alice", PASSWORD).run();
    assertTrue(other.passed(), other::toString);
    assertTrue(bound("alice-calm"));
  }
}
