package io.switchboard.core.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.model.Filters;
import io.switchboard.core.testing.RawSip;
import io.switchboard.core.testing.SipTestServer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new binding is in the store before its 200; a refresh is answered from memory and reaches the
 * store afterwards (written behind), and a stop writes what is still unwritten. The bindings' store
 * is the real one on the embedded store, behind a gate the test opens and closes.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class RegistrationWriteBehindTest {

  private static final String DOMAIN = "switchboard.test";

  private SipTestServer server;
  private GatedBindings gated;

  private void start(Vertx vertx, Path dir, Map<String, String> settings) throws Exception {
    server = new SipTestServer(vertx, dir, settings);
    server.bindingStore = store -> gated = new GatedBindings(store);
    server.start().await();
    if (server.users.find("alice").await().isEmpty()) {
      server.createUser("alice", "1001", "alice-sip-secret").await();
    }
  }

  @AfterEach
  void stop() {
    if (server != null) {
      gated.open();
      server.stop().await();
    }
  }

  @Test
  void aNewBindingIsStoredBeforeIts200(Vertx vertx, @TempDir Path dir) throws Exception {
    start(vertx, dir, Map.of());
    try (RawSip raw = new RawSip(server.sipPort())) {
      String nonce = challenge(raw);
      gated.close();
      Future<Binding> saving = gated.nextSave(b -> true);
      String request = register(raw.localPort(), 2, 300, authorization(nonce, 1));
      raw.send(request);
      saving.await(20, TimeUnit.SECONDS);
      raw.send(request); // retransmitted while the first is still being handled: waits for the same answer
      raw.timeout(500);
      String early = raw.receiveFinal();
      assertEquals(null, early, "no 200 while the new binding's write is held");
      gated.open();
      raw.timeout(10_000);
      String ok = raw.receiveFinal();
      assertEquals(200, RawSip.status(ok), ok);
      assertNotNull(stored(raw.localPort()), "in the store");
      String again = raw.receiveFinal();
      assertEquals(200, RawSip.status(again), "the retransmission gets the 200 too, not a challenge: " + again);
      assertEquals(ok.replaceAll("(?m)^Date: .*$", ""), again.replaceAll("(?m)^Date: .*$", ""), "the same response");
    }
  }

  @Test
  void aRefreshIsAnsweredFromMemoryAndReachesTheStoreAfter(Vertx vertx, @TempDir Path dir) throws Exception {
    start(vertx, dir, Map.of());
    try (RawSip raw = new RawSip(server.sipPort())) {
      String nonce = challenge(raw);
      raw.send(register(raw.localPort(), 2, 300, authorization(nonce, 1)));
      assertEquals(200, RawSip.status(raw.receiveFinal()));

      gated.close();
      Future<Binding> refreshStored = gated.nextStored(b -> b.cseq() == 3);
      raw.send(register(raw.localPort(), 3, 3000, authorization(nonce, 2)));
      String ok = raw.receiveFinal();
      assertEquals(200, RawSip.status(ok), "answered while every store write is held: " + ok);
      assertTrue(ok.contains("expires=3000") || ok.contains("expires=2999"), ok);
      assertTrue(stored(raw.localPort()).getDate("expiresAt").toInstant().isBefore(Instant.now().plusSeconds(301)),
          "not in the store yet");

      gated.open();
      refreshStored.await(20, TimeUnit.SECONDS);
      Document doc = stored(raw.localPort());
      assertEquals(3L, doc.get("cseq", Number.class).longValue(), doc.toJson());
      assertTrue(doc.getDate("expiresAt").toInstant().isAfter(Instant.now().plusSeconds(2900)), doc.toJson());
    }
  }

  @Test
  void aStopWritesTheRefreshesStillUnwritten(Vertx vertx, @TempDir Path dir) throws Exception {
    // A minute between flushes: only the stop can write the refresh in this test's time.
    start(vertx, dir, Map.of("sip.registrar.write-behind", "60"));
    int port;
    try (RawSip raw = new RawSip(server.sipPort())) {
      port = raw.localPort();
      String nonce = challenge(raw);
      raw.send(register(port, 2, 300, authorization(nonce, 1)));
      assertEquals(200, RawSip.status(raw.receiveFinal()));
      raw.send(register(port, 3, 3000, authorization(nonce, 2)));
      assertEquals(200, RawSip.status(raw.receiveFinal()));
    }
    assertEquals(1, server.sip.location().unwrittenCount(), "the refresh waits for its write");
    assertTrue(stored(port).getDate("expiresAt").toInstant().isBefore(Instant.now().plusSeconds(301)));

    Path data = server.config.store().dataDir();
    server.stop().await();
    server = null;
    start(vertx, data, Map.of("sip.registrar.write-behind", "60"));
    server.sip.location().allLoaded().await(); // the stored bindings are read in the background
    List<Binding> restored = server.sip.location().bindings("alice");
    assertEquals(1, restored.size());
    assertEquals(3, restored.get(0).cseq());
    assertTrue(restored.get(0).remainingSeconds(Instant.now()) > 2900, restored.toString());
  }

  /** Sends a REGISTER without credentials; returns the nonce of its 401. */
  private String challenge(RawSip raw) throws Exception {
    raw.send(register(raw.localPort(), 1, 300, ""));
    String challenge = raw.receiveFinal();
    assertEquals(401, RawSip.status(challenge), challenge);
    return RawSip.param(challenge, "WWW-Authenticate: Digest", "nonce");
  }

  private Document stored(int port) {
    return server.vertx.executeBlocking(() -> server.store.database().getCollection("bindings")
        .find(Filters.eq("_id", "alice|sip:alice-desk@127.0.0.1:" + port)).first()).await();
  }

  private static String authorization(String nonce, int nc) {
    return RawSip.digestAuthorization("alice", DOMAIN, "alice-sip-secret", nonce, "%08x".formatted(nc), "REGISTER",
        "sip:" + DOMAIN);
  }

  private static String register(int port, int cseq, int expires, String auth) {
    return """
        REGISTER sip:%s SIP/2.0
        Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKwb%d
        Max-Forwards: 70
        From: <sip:alice@%s>;tag=wb
        To: <sip:alice@%s>
        Call-ID: write-behind-%d@127.0.0.1
        CSeq: %d REGISTER
        Contact: <sip:alice-desk@127.0.0.1:%d>
        Expires: %d
        %sContent-Length: 0

        """.formatted(DOMAIN, port, cseq, DOMAIN, DOMAIN, port, cseq, port, expires, auth);
  }

  /** The real bindings' store, whose saves can be held back and watched. */
  static final class GatedBindings implements BindingStore {

    private final BindingStore store;
    private volatile Promise<Void> gate;
    private final List<Watch> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<Watch> stores = new java.util.concurrent.CopyOnWriteArrayList<>();

    private record Watch(Predicate<Binding> which, Promise<Binding> seen) {
    }

    GatedBindings(BindingStore store) {
      this.store = store;
    }

    void close() {
      gate = Promise.promise();
    }

    void open() {
      Promise<Void> g = gate;
      gate = null;
      if (g != null) {
        g.tryComplete();
      }
    }

    /** Completes when a save of a matching binding is asked for. */
    Future<Binding> nextSave(Predicate<Binding> which) {
      Watch w = new Watch(which, Promise.promise());
      calls.add(w);
      return w.seen().future();
    }

    /** Completes when a save of a matching binding is done. */
    Future<Binding> nextStored(Predicate<Binding> which) {
      Watch w = new Watch(which, Promise.promise());
      stores.add(w);
      return w.seen().future();
    }

    private static void seen(List<Watch> watches, Binding b) {
      watches.stream().filter(w -> w.which().test(b)).forEach(w -> w.seen().tryComplete(b));
    }

    @Override
    public Future<List<Binding>> loadAll() {
      return store.loadAll();
    }

    @Override
    public Future<Void> save(Binding binding) {
      seen(calls, binding);
      Promise<Void> g = gate;
      Future<Void> held = g == null ? Future.succeededFuture() : g.future();
      return held.compose(v -> store.save(binding)).onSuccess(v -> seen(stores, binding));
    }

    @Override
    public Future<Void> remove(String username, String key) {
      return store.remove(username, key);
    }

    @Override
    public Future<Void> removeAll(String username) {
      return store.removeAll(username);
    }
  }
}
