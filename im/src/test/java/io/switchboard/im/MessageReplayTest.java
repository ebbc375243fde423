package io.switchboard.im;

import io.switchboard.api.Caller;
import io.switchboard.api.im.ImHistoryQuery;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.EventAddresses;
import io.switchboard.core.security.Digest;
import io.switchboard.core.testing.RawSip;
import io.switchboard.core.testing.SipTestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A captured authenticated MESSAGE resent later (another Call-ID, another body, the same
 * Proxy-Authorization) must not be stored: asserted on the wire (a raw UDP socket) and in the
 * message history. Recipients are offline, so an accepted message is stored (202).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class MessageReplayTest {

  private static final String DOMAIN = "switchboard.test";

  private Vertx vertx;
  private SipTestServer server;

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) throws Exception {
    this.vertx = vertx;
    server = new SipTestServer(vertx, dir, Map.of("im.fork-timeout", "1"));
    ImService[] im = new ImService[1];
    server.beforeSipStart.add(t -> im[0] = new ImService(vertx, t.config, t.users, t.devices, t.sip, t.store));
    server.start().await();
    vertx.executeBlocking(() -> {
      im[0].createIndexes();
      return null;
    }).await();
    im[0].start().await();
    server.createUser("alice", "1001", "alice-sip-secret").await();
    server.createUser("bob", "1002", "bob-sip-secret").await();
    server.createUser("carol", "1003", "carol-sip-secret").await();
  }

  @AfterEach
  void stop() {
    server.stop().await();
  }

  private static String message(RawSip raw, String to, String callId, String body, String authorization) {
    int length = body.getBytes(StandardCharsets.UTF_8).length;
    return """
        MESSAGE sip:%s@switchboard.test SIP/2.0
        Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%s
        Max-Forwards: 70
        From: <sip:alice@switchboard.test>;tag=a-%s
        To: <sip:%s@switchboard.test>
        Call-ID: %s@127.0.0.1
        CSeq: 1 MESSAGE
        Content-Type: text/plain;charset=UTF-8
        %sContent-Length: %d

        %s""".formatted(to, raw.localPort(), callId, callId, to, callId,
        authorization == null ? "" : authorization + "\n", length, body);
  }

  private static String nonce(RawSip raw, String callId) throws Exception {
    raw.send(message(raw, "bob", callId, "knock", null));
    String answer = raw.receiveFinal();
    assertEquals(407, RawSip.status(answer), answer);
    return RawSip.param(answer, "Proxy-Authenticate: Digest", "nonce");
  }

  /** Proxy-Authorization as a phone computes it; body matters for auth-int only. */
  private static String credentials(String realm, String nonce, String uri, String nc, String qop, String body) {
    String ha1 = Digest.ha1(Digest.MD5, "alice", realm, "alice-sip-secret");
    String response = Digest.response(Digest.MD5, ha1, nonce, nc, "feed1", qop, "MESSAGE", uri,
        body.getBytes(StandardCharsets.UTF_8));
    return "Proxy-Authorization: Digest username=\"alice\", realm=\"" + realm + "\", nonce=\"" + nonce + "\", uri=\""
        + uri + "\", response=\"" + response + "\", algorithm=MD5, qop=" + qop + ", nc=" + nc + ", cnonce=\"feed1\"";
  }

  private List<String> texts(String user, String with) {
    JsonArray history = vertx.eventBus().<JsonObject>request(EventAddresses.IM_HISTORY,
        new ImHistoryQuery(Caller.user(user), with, null, 50).toJson()).await().body().getJsonArray("messages");
    return history.stream().map(m -> ((JsonObject) m).getString("text").strip()).toList();
  }

  @Test
  void aReplayedMessageWithAnotherBodyIsRefusedAndNotStored() throws Exception {
    try (RawSip raw = new RawSip(server.sipPort())) {
      String nonce = nonce(raw, "m0");
      String captured = credentials(DOMAIN, nonce, "sip:bob@" + DOMAIN, "00000001", "auth", "");
      raw.send(message(raw, "bob", "m1", "lunch at noon?", captured));
      assertEquals(202, RawSip.status(raw.receiveFinal()), "stored for offline bob");

      raw.send(message(raw, "bob", "forged", "send the payroll file to mallory", captured));
      String replayed = raw.receiveFinal();
      assertEquals(407, RawSip.status(replayed), "challenged again, not served: " + replayed);

      String next = credentials(DOMAIN, nonce, "sip:bob@" + DOMAIN, "00000002", "auth", "");
      raw.send(message(raw, "bob", "m2", "or at one", next));
      assertEquals(202, RawSip.status(raw.receiveFinal()), "the phone's next count still works");
      raw.send(message(raw, "bob", "forged-2", "wire the money", captured));
      assertEquals(407, RawSip.status(raw.receiveFinal()), "a lower count than seen");

      // Credentials made for bob's URI, the request sent to carol.
      String forBob = credentials(DOMAIN, nonce, "sip:bob@" + DOMAIN, "00000003", "auth", "");
      raw.send(message(raw, "carol", "forged-3", "hi carol", forBob));
      assertEquals(400, RawSip.status(raw.receiveFinal()));

      String elsewhere = credentials("elsewhere.test", nonce, "sip:bob@" + DOMAIN, "00000004", "auth", "");
      raw.send(message(raw, "bob", "forged-4", "from another realm", elsewhere));
      assertEquals(407, RawSip.status(raw.receiveFinal()));
    }
    assertEquals(List.of("lunch at noon?", "or at one"), texts("bob", "alice").stream().sorted().toList(),
        "only the genuine ones are stored");
    assertEquals(List.of(), texts("carol", "alice"));
  }

  @Test
  void authIntProtectsTheBody() throws Exception {
    try (RawSip raw = new RawSip(server.sipPort())) {
      String nonce = nonce(raw, "i0");
      String body = "the body is signed";
      raw.send(message(raw, "bob", "i1", body,
          credentials(DOMAIN, nonce, "sip:bob@" + DOMAIN, "00000001", "auth-int", body)));
      assertEquals(202, RawSip.status(raw.receiveFinal()), "auth-int accepted");

      // Same credentials scheme, next count, but the body changed on the way: the digest no longer matches.
      raw.send(message(raw, "bob", "i2", "the body was changed",
          credentials(DOMAIN, nonce, "sip:bob@" + DOMAIN, "00000002", "auth-int", body)));
      assertEquals(403, RawSip.status(raw.receiveFinal()));
    }
    assertEquals(List.of("the body is signed"), texts("bob", "alice"));
    assertTrue(texts("bob", "alice").stream().noneMatch(t -> t.contains("changed")));
  }
}
