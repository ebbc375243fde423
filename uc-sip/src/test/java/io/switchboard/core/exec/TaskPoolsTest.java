package io.switchboard.core.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.testing.SipTestServer;
import io.switchboard.core.testing.Sipp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Bounded pools refuse past their limit, and the SIP edge turns that into 503 with Retry-After on the wire. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class TaskPoolsTest {

  @Test
  void aFullQueueRefusesAtOnceAndTheRestRun(Vertx vertx) {
    TaskPools pools = new TaskPools(vertx, new TaskPools.Sizes(1, 2, 1, 0, 1, 0));
    CountDownLatch release = new CountDownLatch(1);
    try {
      List<Future<Boolean>> admitted = new ArrayList<>();
      for (int i = 0; i < 3; i++) { // one running, two waiting
        admitted.add(pools.store().submit(() -> release.await(60, TimeUnit.SECONDS)));
      }
      Future<Boolean> refused = pools.store().submit(() -> true);
      assertTrue(refused.failed(), "refused at once, not queued");
      OverloadedException e = assertInstanceOf(OverloadedException.class, refused.cause());
      assertEquals("store", e.pool());
      assertTrue(e.retryAfterSeconds() > 0);
      assertEquals(1, pools.store().refused());
      // The other pools are not affected by the store's queue.
      assertTrue(pools.hashing().submit(() -> true).await());
      release.countDown();
      for (Future<Boolean> f : admitted) {
        assertTrue(f.await());
      }
      assertTrue(pools.store().submit(() -> true).await(), "room again once the queue drained");
    } finally {
      release.countDown();
      pools.close().await();
    }
  }

  @Test
  void aRegisterMeetingAFullStoreQueueIsAnswered503WithRetryAfter(Vertx vertx, @TempDir Path dir) throws Exception {
    SipTestServer server = new SipTestServer(vertx, dir, Map.of());
    server.pools = new TaskPools(vertx, new TaskPools.Sizes(1, 0, 1, 4, 1, 16));
    server.start().await();
    CountDownLatch release = new CountDownLatch(1);
    try {
      // The stored bindings are read in the background on the store's one thread: done before it is taken.
      server.sip.location().allLoaded().await();
      server.createUser("alice", "1001", "alice-sip-secret").await();
      // The store's one thread busy, no queue: the registrar's user look-up is refused.
      Future<Boolean> busy = server.pools.store().submit(() -> release.await(60, TimeUnit.SECONDS));

      Sipp.Result refused = Sipp.scenario("register-overloaded.xml", server.sipPort()).key("domain", server.domain())
          .key("aor", "alice").key("contact", "alice-desk").key("expires", "120")
          .auth("alice", "alice-sip-secret").run();

      assertTrue(refused.passed(), refused::toString);
      assertTrue(refused.messages().contains("SIP/2.0 503"), refused::toString);
      assertTrue(server.sip.location().bindings("alice").isEmpty());
      release.countDown();
      assertTrue(busy.await());

      Sipp.Result accepted = Sipp.scenario("register.xml", server.sipPort()).key("domain", server.domain())
          .key("aor", "alice").key("contact", "alice-desk").key("expires", "120")
          .auth("alice", "alice-sip-secret").run();
      assertTrue(accepted.passed(), accepted::toString);
      assertEquals(1, server.sip.location().bindings("alice").size());
    } finally {
      release.countDown();
      server.stop().await();
    }
  }
}
