package io.switchboard.im;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.model.Filters;
import io.switchboard.core.store.SharedStores;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.SipTestCluster;
import io.switchboard.core.testing.SipTestServer;
import io.switchboard.core.testing.Sipp;
import io.switchboard.core.testing.SippTrace;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stored messages across two clustered nodes (Hazelcast on loopback, one JVM) on one store (node B
 * reaches node A's embedded store through the MongoDB driver): the recipient's phone registers on
 * both while the first node's delivery is still under way, each node hears both registrations, and
 * the phone, a slow SIPp device, still gets each stored message exactly once and in order.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class StoredDeliveryClusterTest {

  private SipTestCluster cluster;

  @AfterEach
  void tearDown() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aPhoneRegisteredOnTwoNodesGetsEachStoredMessageOnce(@TempDir Path dir) throws Exception {
    cluster = new SipTestCluster(2);
    Vertx a = cluster.member(0);
    Vertx b = cluster.member(1);
    SipTestServer onA = node(a, dir.resolve("a"), Map.of());
    SipTestServer onB = node(b, dir.resolve("b"), Map.of("mongo.uri", SharedStores.uriOf(onA.store)));
    onA.createUser("alice", "1001", "alice-sip-secret").await(20, TimeUnit.SECONDS);
    onA.createUser("carol", "1003", "carol-sip-secret").await(20, TimeUnit.SECONDS);

    // Carol is offline: three messages are stored (202), through A.
    for (String body : List.of("one", "two", "three")) {
      Sipp.Result r = Sipp.scenario("send-message.xml", onA.sipPort()).key("domain", onA.domain())
          .key("from", "alice").key("to", "carol").key("ctype", "text/plain;charset=UTF-8").key("body", body)
          .auth("alice", "alice-sip-secret").run();
      assertTrue(r.passed(), r::toString);
      assertEquals(202, SippTrace.lastStatus(r.messages()), r::toString);
    }

    // Her phone answers each MESSAGE after 2 s: A's delivery takes about 6 s, and her registration on
    // B comes within it. Both nodes hear both registrations and know the binding by the second.
    int port = FreePorts.udpAndTcp();
    Sipp.Running phone = Sipp.device("receive-message-slowly.xml", port, 3).start();
    register(onA, port);
    register(onB, port);
    Sipp.Result seen = phone.await();

    List<SippTrace.Message> got = SippTrace.received(seen.messages(), "MESSAGE");
    List<String> transactions = got.stream().map(m -> m.header("Call-ID") + " " + m.header("CSeq")).distinct().toList();
    assertEquals(3, transactions.size(), "one MESSAGE transaction per stored message: " + seen);
    assertEquals(List.of("one", "two", "three"), got.stream().map(m -> m.body().strip()).distinct().toList(), seen::toString);
    assertTrue(seen.passed(), seen::toString);

    // In the store: all three delivered, none left claimed.
    List<Document> stored = onA.vertx.executeBlocking(() -> onA.store.database().getCollection("messages")
        .find(Filters.eq("to", "carol")).into(new ArrayList<Document>())).await(20, TimeUnit.SECONDS);
    assertEquals(3, stored.size());
    for (Document d : stored) {
      assertEquals("DELIVERED", d.getString("state"), d.toJson());
    }
  }

  private SipTestServer node(Vertx vertx, Path dir, Map<String, String> settings) throws Exception {
    ImService[] im = new ImService[1];
    SipTestServer server = cluster.server(vertx, dir, settings,
        t -> im[0] = new ImService(vertx, t.config, t.users, t.devices, t.sip, t.store));
    vertx.executeBlocking(() -> {
      im[0].createIndexes();
      return null;
    }).await(60, TimeUnit.SECONDS);
    im[0].start().await(30, TimeUnit.SECONDS);
    return server;
  }

  private static void register(SipTestServer server, int devicePort) throws Exception {
    Sipp.Result r = Sipp.scenario("register-device.xml", server.sipPort()).key("domain", server.domain())
        .key("aor", "carol").key("contact", "carol-desk").key("device", "127.0.0.1:" + devicePort)
        .key("accept", "text/plain").auth("carol", "carol-sip-secret").run();
    assertTrue(r.passed(), r::toString);
  }
}
