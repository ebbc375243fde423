package io.switchboard.im;

import io.switchboard.api.Caller;
import io.switchboard.api.im.ImHistoryQuery;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.EventAddresses;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.SipTestServer;
import io.switchboard.core.testing.Sipp;
import io.switchboard.core.testing.SippTrace;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Once a MESSAGE is stored (202), the stored delivery is the only way on to a device: the fork's
 * retransmissions stop and a late answer changes nothing. The phones are SIPp; assertions are on
 * what the phone saw on the wire and on the store.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
class OnceOnlyDeliveryTest {

  private Vertx vertx;
  private SipTestServer server;
  /** Every DELIVERED state change, as published. */
  private final List<JsonObject> delivered = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) throws Exception {
    this.vertx = vertx;
    server = new SipTestServer(vertx, dir, Map.of("im.fork-timeout", "2"));
    ImService[] im = new ImService[1];
    server.beforeSipStart.add(t -> im[0] = new ImService(vertx, t.config, t.users, t.devices, t.sip, t.store));
    server.start().await();
    vertx.executeBlocking(() -> {
      im[0].createIndexes();
      return null;
    }).await();
    im[0].start().await();
    server.createUser("alice", "1001", "alice-sip-secret").await();
    server.createUser("carol", "1003", "carol-sip-secret").await();
    vertx.eventBus().<JsonObject>consumer(EventAddresses.IM_STATE, m -> {
      if ("DELIVERED".equals(m.body().getString("state"))) {
        synchronized (waiters) {
          delivered.add(m.body());
          waiters.removeIf(w -> {
            boolean reached = delivered.size() >= w.count();
            if (reached) {
              w.done().complete();
            }
            return reached;
          });
        }
      }
    }).completion().await();
  }

  @AfterEach
  void stop() {
    server.stop().await();
  }

  private void register(String user, String contact, int devicePort) throws Exception {
    Sipp.Result r = Sipp.scenario("register-device.xml", server.sipPort()).key("domain", server.domain())
        .key("aor", user).key("contact", contact).key("device", "127.0.0.1:" + devicePort).key("accept", "text/plain")
        .auth(user, user + "-sip-secret").run();
    assertTrue(r.passed(), r::toString);
  }

  private int send(String from, String to, String body) throws Exception {
    Sipp.Result r = Sipp.scenario("send-message.xml", server.sipPort()).key("domain", server.domain())
        .key("from", from).key("to", to).key("ctype", "text/plain;charset=UTF-8").key("body", body)
        .auth(from, from + "-sip-secret").run();
    assertTrue(r.passed(), r::toString);
    return SippTrace.lastStatus(r.messages());
  }

  private JsonArray history(String user, String with) {
    return vertx.eventBus().<JsonObject>request(EventAddresses.IM_HISTORY,
        new ImHistoryQuery(Caller.user(user), with, null, 50).toJson()).await().body().getJsonArray("messages");
  }

  private record Waiter(int count, Promise<Void> done) {
  }

  private final List<Waiter> waiters = new java.util.ArrayList<>();

  /** Completes once n DELIVERED state changes were published. */
  private io.vertx.core.Future<Void> deliveries(int n) {
    Promise<Void> done = Promise.promise();
    synchronized (waiters) {
      if (delivered.size() >= n) {
        done.complete();
      } else {
        waiters.add(new Waiter(n, done));
      }
    }
    return done.future();
  }

  private static Instant millis(String instant) {
    return Instant.parse(instant).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
  }

  /**
   * As a phone that crashed and came back on the same port (Linphone does): two messages stored
   * while it was gone reach it once each, in order, by the stored delivery alone. Before, the
   * originals' retransmissions (JAIN-SIP keeps a client transaction going for 32 s) reached it
   * too, after the stored copies, and their late 200s overwrote deliveredAt.
   */
  @Test
  void aPhoneBackOnItsPortSeesEachStoredMessageOnceAndInOrder() throws Exception {
    int port = FreePorts.udpAndTcp();
    register("carol", "carol-desk", port); // then the phone is gone: nothing listens on its port
    assertEquals(202, send("alice", "carol", "first"));
    assertEquals(202, send("alice", "carol", "second"));

    Sipp.Running phone = Sipp.device("receive-message-then-listen.xml", port, 2).start();
    register("carol", "carol-desk", port);
    Sipp.Result seen = phone.await();

    // Every MESSAGE that reached the port, retransmissions included: the two stored deliveries only.
    List<SippTrace.Message> got = SippTrace.received(seen.messages(), "MESSAGE");
    assertEquals(List.of("first", "second"), got.stream().map(m -> m.body().strip()).toList(), seen::toString);
    assertTrue(seen.passed(), seen::toString);

    deliveries(2).await(20, TimeUnit.SECONDS);
    assertEquals(2, delivered.size(), "each marked delivered once: " + delivered);
    JsonArray history = history("carol", "alice");
    assertEquals(2, history.size());
    for (Object o : history) {
      JsonObject m = (JsonObject) o;
      assertEquals("DELIVERED", m.getString("state"), m.encode());
      JsonObject event = delivered.stream().filter(e -> e.getString("id").equals(m.getString("id"))).findFirst()
          .orElseThrow(() -> new AssertionError("no DELIVERED event for " + m.encode()));
      assertEquals(millis(event.getString("deliveredAt")), millis(m.getString("deliveredAt")),
          "deliveredAt is the stored delivery's");
    }
  }

  /**
   * A phone that answers only after the message was stored: its late 200 marks nothing delivered;
   * the message stays stored until the stored delivery, whose time is deliveredAt.
   */
  @Test
  void aLateAnswerAfterTheMessageWasStoredChangesNothing() throws Exception {
    int port = FreePorts.udpAndTcp();
    Sipp.Running slow = Sipp.device("receive-message-late.xml", port, 1).start();
    register("carol", "carol-desk", port);
    assertEquals(202, send("alice", "carol", "slow"));
    Sipp.Result late = slow.await();
    assertTrue(late.passed(), late::toString);

    // The late 200 has gone out; a REGISTER from the same phone comes after it.
    Instant beforeStoredDelivery = Instant.now();
    Sipp.Running phone = Sipp.device("receive-message.xml", port, 1).start();
    register("carol", "carol-desk", port);
    Sipp.Result again = phone.await();
    assertTrue(again.passed(), again::toString);
    assertEquals(List.of("slow"), SippTrace.received(again.messages(), "MESSAGE").stream()
        .map(m -> m.body().strip()).toList(), "the stored delivery still goes out");

    deliveries(1).await(20, TimeUnit.SECONDS);
    assertEquals(1, delivered.size(), delivered::toString);
    JsonObject m = history("carol", "alice").getJsonObject(0);
    assertEquals("DELIVERED", m.getString("state"));
    assertTrue(!Instant.parse(m.getString("deliveredAt")).isBefore(beforeStoredDelivery),
        "deliveredAt is the stored delivery's, not the late answer's: " + m.encode());
  }
}
