package io.switchboard.core.sip;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.EventAddresses;
import io.switchboard.core.testing.SipTestCluster;
import io.switchboard.core.testing.SipTestServer;
import io.switchboard.core.testing.Sipp;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failed digests count cluster-wide: two clustered nodes (Hazelcast on loopback, one JVM), a limit of
 * three failures per source; two wrong passwords on A and one on B block the source on both, so that
 * A refuses it at once (403, no challenge) though A itself counted only two.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ClusterDigestThrottleTest {

  private SipTestCluster cluster;

  @AfterEach
  void tearDown() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void failuresOnTwoNodesAddUpToOneBlock(@TempDir Path dir) throws Exception {
    cluster = new SipTestCluster(2);
    Vertx a = cluster.member(0);
    Vertx b = cluster.member(1);
    AtomicInteger heardOnA = new AtomicInteger();
    AtomicInteger heardOnB = new AtomicInteger();
    Promise<Void> bHeardTwo = Promise.promise();
    Promise<Void> aHeardOne = Promise.promise();
    a.eventBus().addInboundInterceptor(ctx -> {
      if (ctx.message().address().equals(EventAddresses.FAILURE + "digest") && !ctx.message().isSend()
          && heardOnA.incrementAndGet() >= 3) { // its own two, then B's
        aHeardOne.tryComplete();
      }
      ctx.next();
    });
    b.eventBus().addInboundInterceptor(ctx -> {
      if (ctx.message().address().equals(EventAddresses.FAILURE + "digest") && heardOnB.incrementAndGet() >= 2) {
        bHeardTwo.tryComplete();
      }
      ctx.next();
    });
    Map<String, String> settings = Map.of("sip.auth.max-failures", "3", "sip.auth.failure-window", "300",
        "sip.auth.block-time", "300");
    SipTestServer onA = node(a, dir.resolve("a"), settings);
    SipTestServer onB = node(b, dir.resolve("b"), settings);

    assertTrue(wrongPassword(onA).passed());
    assertTrue(wrongPassword(onA).passed());
    bHeardTwo.future().await(30, TimeUnit.SECONDS);
    Sipp.Result third = wrongPassword(onB);
    assertTrue(third.passed(), "B challenged and refused the third: " + third);
    aHeardOne.future().await(30, TimeUnit.SECONDS);

    // The right password now, on A: refused before any challenge.
    Sipp.Result blocked = Sipp.scenario("register-forbidden.xml", onA.sipPort()).key("domain", onA.domain())
        .key("user", "alice").key("aor", "alice").key("contact", "alice-desk").key("expires", "120")
        .auth("alice", "alice-sip-secret").run();
    assertTrue(blocked.messages().contains("SIP/2.0 403 Forbidden"), blocked::toString);
    assertFalse(blocked.messages().contains("SIP/2.0 401"), "no challenge for a blocked source: " + blocked);
  }

  private SipTestServer node(Vertx vertx, Path dir, Map<String, String> settings) throws Exception {
    SipTestServer server = cluster.server(vertx, dir, settings, s -> { });
    server.createUser("alice", "1001", "alice-sip-secret").await(30, TimeUnit.SECONDS);
    return server;
  }

  private static Sipp.Result wrongPassword(SipTestServer server) throws Exception {
    return Sipp.scenario("register-forbidden.xml", server.sipPort()).key("domain", server.domain())
        .key("user", "alice").key("aor", "alice").key("contact", "alice-desk").key("expires", "120")
        .auth("alice", "not-the-password").run();
  }
}
