package io.switchboard.im;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.model.Filters;
import io.switchboard.api.BusCalls;
import io.switchboard.api.BusFailure;
import io.switchboard.api.Caller;
import io.switchboard.api.EventAddresses;
import io.switchboard.api.im.BroadcastAudience;
import io.switchboard.api.im.BroadcastInfo;
import io.switchboard.api.im.BroadcastQuery;
import io.switchboard.api.im.BroadcastRef;
import io.switchboard.api.im.BroadcastSend;
import io.switchboard.api.im.Broadcasts;
import io.switchboard.api.im.RoomCreate;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.SettableClock;
import io.switchboard.core.testing.SipTestServer;
import io.switchboard.core.testing.Sipp;
import io.switchboard.core.testing.SippTrace;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broadcasts reach phones as MESSAGEs from sip:broadcast@domain: SIPp phones registered (at once) and
 * offline (on REGISTER, through the stored delivery), and not when the broadcast expired or was replaced
 * before the phone registered. The clock is the test's, so that expiry needs no waiting.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 240, timeUnit = TimeUnit.SECONDS)
class BroadcastTest {

  private static final Caller ADMIN = Caller.admin("admin");

  private Vertx vertx;
  private SipTestServer server;
  private final SettableClock clock = new SettableClock(Instant.now());

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) throws Exception {
    this.vertx = vertx;
    server = new SipTestServer(vertx, dir, Map.of("im.fork-timeout", "3", "broadcast.display-name", "Front desk"));
    ImService[] im = new ImService[1];
    server.beforeSipStart.add(t -> im[0] = new ImService(vertx, t.config, t.users, t.devices, t.sip, t.store, clock));
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

  private BroadcastInfo broadcast(Caller caller, String text, BroadcastAudience to, Instant expiresAt, String replaces) {
    return BroadcastInfo.fromJson(BusCalls.request(vertx.eventBus(), EventAddresses.IM_BROADCAST_SEND,
        new BroadcastSend(caller, text, to, expiresAt == null ? null : expiresAt.toString(), replaces)).await());
  }

  private BusFailure refused(BroadcastSend request) {
    try {
      BusCalls.request(vertx.eventBus(), EventAddresses.IM_BROADCAST_SEND, request).await();
    } catch (BusFailure f) {
      return f;
    }
    throw new AssertionError("accepted: " + request);
  }

  private List<String> current(Caller caller) {
    return Broadcasts.fromJson(BusCalls.request(vertx.eventBus(), EventAddresses.IM_BROADCAST_LIST,
        new BroadcastQuery(caller)).await()).broadcasts().stream().map(BroadcastInfo::text).toList();
  }

  private void register(String user, int devicePort) throws Exception {
    Sipp.Result r = Sipp.scenario("register-device.xml", server.sipPort()).key("domain", server.domain())
        .key("aor", user).key("contact", user + "-desk").key("device", "127.0.0.1:" + devicePort)
        .key("accept", "text/plain").auth(user, user + "-sip-secret").run();
    assertTrue(r.passed(), r::toString);
  }

  private static List<SippTrace.Message> received(Sipp.Running device) throws Exception {
    Sipp.Result r = device.await();
    assertTrue(r.passed(), r::toString);
    return SippTrace.received(r.messages(), "MESSAGE");
  }

  private String stateOf(String messageId) {
    return vertx.executeBlocking(() -> {
      Document d = server.store.database().getCollection("messages").find(Filters.eq("_id", messageId)).first();
      return d == null ? "none" : d.getString("state");
    }).await();
  }

  @Test
  void aRegisteredPhoneGetsItAtOnceFromTheBroadcastAddress() throws Exception {
    int port = FreePorts.udpAndTcp();
    Sipp.Running bob = Sipp.device("receive-message.xml", port, 1).start();
    register("bob", port);

    BroadcastInfo sent = broadcast(ADMIN, "Fire drill at 15:00", BroadcastAudience.users(List.of("1002")), null, null);

    SippTrace.Message got = received(bob).get(0);
    assertEquals("Fire drill at 15:00", got.body().strip());
    String from = got.header("From");
    assertTrue(from.contains("\"Front desk\"") && from.contains("<sip:broadcast@switchboard.test>"), from);
    assertEquals("DELIVERED", stateOf(sent.id() + "/bob"));
    assertEquals(List.of("Fire drill at 15:00"), current(Caller.user("bob")));
    assertEquals(List.of(), current(Caller.user("alice")), "not for alice");
    assertEquals(List.of("Fire drill at 15:00"), current(Caller.admin("root")), "admins see every current one");
  }

  @Test
  void anOfflinePhoneGetsItOnRegisterUnlessExpiredOrReplaced() throws Exception {
    BroadcastInfo expiring = broadcast(ADMIN, "coffee machine fixed", BroadcastAudience.all(),
        clock.instant().plus(Duration.ofMinutes(1)), null);
    BroadcastInfo first = broadcast(ADMIN, "meeting at 10", BroadcastAudience.users(List.of("carol")), null, null);
    BroadcastInfo second = broadcast(ADMIN, "meeting at 11, not 10", BroadcastAudience.users(List.of("carol")), null,
        first.id());
    BroadcastInfo lasting = broadcast(ADMIN, "welcome to the new office", BroadcastAudience.all(), null, null);
    assertEquals("STORED", stateOf(expiring.id() + "/carol"));
    assertEquals("EXPIRED", stateOf(first.id() + "/carol"), "a replaced broadcast's copies end at once");
    clock.advance(Duration.ofMinutes(2));
    assertEquals(List.of("welcome to the new office", "meeting at 11, not 10"), current(Caller.user("carol")));

    // Oldest first: had the expired or the replaced one gone out, the phone would have seen it first.
    int port = FreePorts.udpAndTcp();
    Sipp.Running carol = Sipp.device("receive-message.xml", port, 2).start();
    register("carol", port);
    List<String> got = received(carol).stream().map(m -> m.body().strip()).toList();
    assertEquals(List.of("meeting at 11, not 10", "welcome to the new office"), got);
    assertEquals("EXPIRED", stateOf(expiring.id() + "/carol"));
    assertEquals("EXPIRED", stateOf(first.id() + "/carol"));
  }

  @Test
  void aWithdrawnBroadcastIsNotDeliveredAndLeavesTheList() throws Exception {
    BroadcastInfo b = broadcast(new Caller("dave", Set.of(Caller.Role.BROADCASTER)), "parking closed",
        BroadcastAudience.users(List.of("carol")), null, null);
    assertEquals("STORED", stateOf(b.id() + "/carol"));
    BusCalls.request(vertx.eventBus(), EventAddresses.IM_BROADCAST_WITHDRAW, new BroadcastRef(ADMIN, b.id())).await();
    assertEquals("EXPIRED", stateOf(b.id() + "/carol"));
    assertEquals(List.of(), current(Caller.user("carol")));
  }

  @Test
  void aGroupIsARoomsMembersAndRefusalsNameTheField() throws Exception {
    BusCalls.request(vertx.eventBus(), EventAddresses.IM_ROOM_CREATE,
        new RoomCreate(Caller.user("alice"), "sales", List.of("bob"))).await();
    BroadcastInfo b = broadcast(ADMIN, "targets met", BroadcastAudience.group("sales"), null, null);
    assertEquals("STORED", stateOf(b.id() + "/alice"));
    assertEquals("STORED", stateOf(b.id() + "/bob"));
    assertEquals("none", stateOf(b.id() + "/carol"), "carol is not in the group");

    assertEquals(403, refused(new BroadcastSend(Caller.user("alice"), "hi", BroadcastAudience.all(), null, null)).code());
    BusFailure noGroup = refused(new BroadcastSend(ADMIN, "hi", BroadcastAudience.group("nope"), null, null));
    assertEquals(400, noGroup.code());
    assertEquals("to", noGroup.field());
    assertEquals("to", refused(new BroadcastSend(ADMIN, "hi", BroadcastAudience.users(List.of("zed")), null, null)).field());
    assertEquals("text", refused(new BroadcastSend(ADMIN, " ", BroadcastAudience.all(), null, null)).field());
    assertEquals("expiresAt", refused(new BroadcastSend(ADMIN, "hi", BroadcastAudience.all(),
        clock.instant().minusSeconds(1).toString(), null)).field());
    assertEquals("replaces", refused(new BroadcastSend(ADMIN, "hi", BroadcastAudience.all(), null, "nope")).field());
  }
}
