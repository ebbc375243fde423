package io.switchboard.telephony;

import static io.switchboard.api.CallStateEvent.State.DIALING;
import static io.switchboard.api.CallStateEvent.State.IDLE;
import static io.switchboard.api.CallStateEvent.State.IN_CALL;
import static io.switchboard.api.CallStateEvent.State.ON_HOLD;
import static io.switchboard.api.CallStateEvent.State.RINGING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.CallStateEvent;
import io.switchboard.api.EventAddresses;
import io.switchboard.api.UserEvent;
import io.switchboard.api.BusCalls;
import io.switchboard.api.Caller;
import io.switchboard.api.presence.DeviceUsed;
import io.switchboard.api.telephony.Originate;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.health.Health;
import io.switchboard.core.model.Role;
import io.switchboard.core.model.User;
import io.switchboard.api.DeviceEvent;
import io.switchboard.core.model.Device;
import io.switchboard.core.store.CachingUserStore;
import io.switchboard.core.store.MongoDeviceStore;
import io.switchboard.core.store.MongoStore;
import io.switchboard.core.store.MongoUserStore;
import io.switchboard.core.store.UserStore;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.TestConfigs;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Telephony against a fake Asterisk that replays recorded AMI sessions, with the real Asterisk-Java
 * client: the call states users go through, login refusal, a lost link and the resync after it.
 * Every wait is for an event (a CallStateEvent, an action the fake received), bounded by {@link #await}.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class TelephonyServiceTest {

  /** Short delays so that reconnection happens within a test; the defaults are tested for what they promise. */
  private static final AmiTiming FAST = new AmiTiming(Duration.ofMillis(100), Duration.ofSeconds(2),
      Duration.ofMillis(400), Duration.ofSeconds(20), Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofSeconds(3));

  private Vertx vertx;
  private Path dataDir;
  private MongoStore store;
  private UserStore users;
  private MongoDeviceStore devices;
  private FakeAsterisk asterisk;
  private final Health health = new Health();
  private final List<CallStateEvent> events = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private TelephonyService service;

  private record Waiter(String user, int count, Promise<List<CallStateEvent.State>> done) {
  }

  @BeforeEach
  void setUp(@TempDir Path dir) throws Exception {
    // Any blocking call on an event loop shows in the log at once.
    vertx = Vertx.vertx(new VertxOptions().setMaxEventLoopExecuteTime(100).setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
        .setBlockedThreadCheckInterval(50).setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS));
    dataDir = dir;
    asterisk = new FakeAsterisk("uc", "ucsecret");
    SwitchboardConfig.Store storeConfig = config("ucsecret").store();
    store = await(vertx.executeBlocking(() -> MongoStore.open(storeConfig)));
    MongoUserStore mongoUsers = new MongoUserStore(vertx, store);
    await(vertx.executeBlocking(() -> {
      mongoUsers.createIndexes();
      return null;
    }));
    users = new CachingUserStore(vertx, mongoUsers, Clock.systemUTC());
    devices = new MongoDeviceStore(vertx, store);
    await(vertx.executeBlocking(() -> {
      devices.createIndexes();
      return null;
    }));
    for (String[] u : new String[][] {{"alice", "1001"}, {"bob", "1002"}, {"carol", "1003"}, {"oscar", "1004"}}) {
      Instant now = Instant.now();
      await(users.create(new User(u[0], u[0], u[1], Role.USER, true, null, Map.of(), now, now)));
    }
    vertx.eventBus().<JsonObject>consumer(EventAddresses.CALL_STATE, m -> {
      synchronized (events) {
        events.add(CallStateEvent.fromJson(m.body()));
        waiters.removeIf(w -> {
          List<CallStateEvent.State> seen = states(w.user());
          if (seen.size() >= w.count()) {
            w.done().complete(seen);
            return true;
          }
          return false;
        });
      }
    });
  }

  @AfterEach
  void tearDown() throws Exception {
    if (service != null) {
      await(service.stop());
    }
    asterisk.close();
    if (store != null) {
      await(vertx.executeBlocking(() -> {
        store.close();
        return null;
      }));
    }
    await(vertx.close());
  }

  // ---- call states -------------------------------------------------------------------------------

  @Test
  void anAnsweredCallGoesDialingAndRingingThenInCallThenIdle() throws Exception {
    startConnected(FAST);
    asterisk.replay("02-call-answered.ami");

    assertEquals(List.of(DIALING, IN_CALL, IDLE), await(statesOf("alice", 3)));
    assertEquals(List.of(RINGING, IN_CALL, IDLE), await(statesOf("bob", 3)));
    assertEquals("1002", eventsOf("alice").get(0).peer(), "the caller sees whom they dial");
    assertEquals("1001", eventsOf("bob").get(0).peer(), "the callee sees who calls");
    assertEquals("1002", eventsOf("alice").get(1).peer());
    assertEquals(null, eventsOf("alice").get(2).peer());
  }

  @Test
  void aCancelledCallEndsIdleForBothAndIsNeverInCall() throws Exception {
    startConnected(FAST);
    asterisk.replay("03-call-cancel.ami");

    assertEquals(List.of(DIALING, IDLE), await(statesOf("alice", 2)));
    assertEquals(List.of(RINGING, IDLE), await(statesOf("oscar", 2)));
    assertEquals("1001", eventsOf("oscar").get(0).peer());
  }

  @Test
  void aCallToAnUnregisteredPhoneOnlyConcernsTheCaller() throws Exception {
    startConnected(FAST);
    asterisk.replay("04-call-unregistered.ami");

    assertEquals(List.of(DIALING, IDLE), await(statesOf("alice", 2)));
    assertEquals("1003", eventsOf("alice").get(0).peer(), "what was dialled, as Asterisk never connected a line");
    // Alice's IDLE came from the last event of the trace, handled after every other one.
    assertEquals(List.of(), eventsOf("carol"));
  }

  @Test
  void holdShowsTheHeldPartyOnHoldThenInCallAgain() throws Exception {
    startConnected(FAST);
    asterisk.replay("05-call-hold.ami");

    // 1001 pressed hold (Hold is raised on its channel); 1002 is the one held (DeviceStateChange ONHOLD).
    assertEquals(List.of(RINGING, IN_CALL, ON_HOLD, IN_CALL, IDLE), await(statesOf("bob", 5)));
    assertEquals(List.of(DIALING, IN_CALL, IDLE), await(statesOf("alice", 3)));
    assertEquals("1001", eventsOf("bob").get(2).peer());
  }

  @Test
  void aCallOnAProvisionedDeviceIsItsOwnersCallThoughTheEndpointIsNotTheExtension() throws Exception {
    Instant now = Instant.now();
    await(devices.create(new Device("d-1", "alice", Device.Kind.DESK_PHONE, "yealink", "T54W", "805ec0aabbcc",
        "alice-desk", "secret", "token", null, now, now)));
    startConnected(FAST);
    asterisk.replayReplacing("02-call-answered.ami", "PJSIP/1001", "PJSIP/alice-desk");

    assertEquals(List.of(DIALING, IN_CALL, IDLE), await(statesOf("alice", 3)));
    assertEquals(List.of(RINGING, IN_CALL, IDLE), await(statesOf("bob", 3)), "1002 has no device: by extension");

    // Renamed by provisioning while running: the device event is enough, the old name is forgotten.
    Device renamed = new Device("d-1", "alice", Device.Kind.DESK_PHONE, "yealink", "T54W", "805ec0aabbcc",
        "alice-office", "secret", "token", null, now, now);
    vertx.eventBus().publish(EventAddresses.DEVICE_CHANGED, new DeviceEvent(renamed.id(), renamed.username(), DeviceEvent.Change.UPDATED, renamed.toJson(null)).toJson());
    asterisk.replayReplacing("02-call-answered.ami", "PJSIP/1001", "PJSIP/alice-office");
    assertEquals(List.of(DIALING, IN_CALL, IDLE, DIALING, IN_CALL, IDLE), await(statesOf("alice", 6)));
  }

  @Test
  void clickToCallRingsTheDeviceInUseAndTheUsersChoiceOverrides() throws Exception {
    Instant now = Instant.now();
    await(devices.create(new Device("d-desk", "alice", Device.Kind.DESK_PHONE, "yealink", "T54W", "805ec0aabbcc",
        "alice-desk", "secret", "token", null, now, now)));
    await(devices.create(new Device("d-mobile", "alice", Device.Kind.MOBILE, null, null, null,
        "alice-mobile", "secret", "token2", null, now, now)));
    asterisk.reply("Originate", "action-Originate.ami");
    List<DeviceUsed> used = new java.util.concurrent.CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>consumer(EventAddresses.DEVICE_USED, m -> used.add(DeviceUsed.fromJson(m.body())));
    startConnected(FAST);
    await(service.verticle().owners().directoryLoaded());

    assertEquals("PJSIP/alice-desk", originate(null, 1), "no use yet: the desk phone");

    // Alice places a call from her mobile (AMI call state on its endpoint): a use of the mobile.
    asterisk.replayReplacing("02-call-answered.ami", "PJSIP/1001", "PJSIP/alice-mobile");
    assertEquals(List.of(DIALING, IN_CALL, IDLE), await(statesOf("alice", 3)));
    DeviceUsed call = used.stream().filter(u -> u.username().equals("alice")).findFirst().orElseThrow();
    assertEquals(new DeviceUsed("alice", "d-mobile", "mobile", "call", call.at()), call);
    assertEquals("PJSIP/alice-mobile", originate(null, 2), "active only on the mobile: the mobile rings");
    assertEquals("PJSIP/alice-desk", originate("d-desk", 3), "her choice in the console overrides");

    // A message from her desk phone (reported by IM): back at her desk.
    vertx.eventBus().publish(EventAddresses.DEVICE_USED,
        new DeviceUsed("alice", "d-desk", "desk-phone", "message", System.currentTimeMillis()).toJson());
    // (both reach the telephony context in the order they were sent from here)
    assertEquals("PJSIP/alice-desk", originate(null, 4));
  }

  /** Asks for a click-to-call as alice to bob and returns the Channel of the {@code nth} Originate Asterisk got. */
  private String originate(String device, int nth) throws Exception {
    CompletableFuture<Void> seen = asterisk.awaitActions("Originate", nth);
    await(BusCalls.request(vertx.eventBus(), EventAddresses.CALL_ORIGINATE,
        new Originate(Caller.user("alice"), "bob", device)));
    await(Future.fromCompletionStage(seen));
    return asterisk.received().stream().filter(a -> "originate".equalsIgnoreCase(a.get("action")))
        .skip(nth - 1).findFirst().orElseThrow().get("channel");
  }

  @Test
  void callEventsFindTheirUsersInMemoryAndTheDirectoryFollowsUserChanges() throws Exception {
    CountingUsers counting = new CountingUsers(users);
    startConnected(FAST, counting);
    EndpointOwners owners = service.verticle().owners();
    await(onTelephony(owners::directoryLoaded));
    asterisk.replay("02-call-answered.ami");

    assertEquals(List.of(DIALING, IN_CALL, IDLE), await(statesOf("alice", 3)));
    assertEquals(List.of(RINGING, IN_CALL, IDLE), await(statesOf("bob", 3)));

    // A user added while running: the user event is enough.
    Instant now = Instant.now();
    await(users.create(new User("dave", "dave", "1005", Role.USER, true, null, Map.of(), now, now)));
    vertx.eventBus().publish(EventAddresses.USER_CHANGED, new UserEvent("dave", UserEvent.Change.CREATED, true).toJson());
    await(ownerBecomes(owners, "1005", Optional.of("dave")));
    asterisk.replayReplacing("02-call-answered.ami", "PJSIP/1001", "PJSIP/1005");
    assertEquals(List.of(DIALING, IN_CALL, IDLE), await(statesOf("dave", 3)));
    assertEquals(List.of(RINGING, IN_CALL, IDLE, RINGING, IN_CALL, IDLE), await(statesOf("bob", 6)));

    // Deleted: their extension belongs to nobody any more.
    await(users.delete("dave"));
    vertx.eventBus().publish(EventAddresses.USER_CHANGED, new UserEvent("dave", UserEvent.Change.DELETED, false).toJson());
    await(ownerBecomes(owners, "1005", Optional.empty()));
    assertEquals(Optional.of("bob"), await(onTelephony(() -> owners.owner("bob"))), "by username as well");
    assertEquals(0, counting.lookups.get(), "no call event asked the store whose endpoint it is");
  }

  @Test
  void aBurstOfUserChangesIsReadBackInOneGoNotUserByUser() throws Exception {
    CountingUsers counting = new CountingUsers(users);
    startConnected(FAST, counting);
    EndpointOwners owners = service.verticle().owners();
    await(onTelephony(owners::directoryLoaded));
    int readsBefore = counting.finds.get() + counting.lists.get();

    // As after a CSV import: 300 users written, then their events together; one user deleted among them.
    int n = 300;
    Instant now = Instant.now();
    for (int i = 0; i < n; i++) {
      await(users.create(new User(String.format("imp%03d", i), "Imported", String.valueOf(7000 + i), Role.USER, true,
          null, Map.of(), now, now)));
    }
    await(users.delete("carol"));
    for (int i = 0; i < n; i++) {
      vertx.eventBus().publish(EventAddresses.USER_CHANGED,
          new UserEvent(String.format("imp%03d", i), UserEvent.Change.CREATED, true).toJson());
    }
    vertx.eventBus().publish(EventAddresses.USER_CHANGED, new UserEvent("carol", UserEvent.Change.DELETED, false).toJson());

    await(ownerBecomes(owners, "1003", Optional.empty()));
    for (int i : new int[] {0, 1, n / 2, n - 1}) {
      await(ownerBecomes(owners, String.valueOf(7000 + i), Optional.of(String.format("imp%03d", i))));
    }
    assertEquals(Optional.of("bob"), await(onTelephony(() -> owners.owner("1002"))), "the others stay");
    int reads = counting.finds.get() + counting.lists.get() - readsBefore;
    assertTrue(reads <= EndpointOwners.REREAD_ALL_ABOVE + 2, "store reads for " + (n + 1) + " user events: " + reads
        + " (finds " + counting.finds.get() + ", lists " + counting.lists.get() + ")");
  }

  /** Runs on the telephony context, where the owners live. */
  private <T> Future<T> onTelephony(java.util.function.Supplier<Future<T>> work) {
    return Future.future(p -> service.verticle().runContext().runOnContext(v -> work.get().onComplete(p)));
  }

  /** Completes once the endpoint's owner is {@code expected} (the user event travels and is read back). */
  private Future<Void> ownerBecomes(EndpointOwners owners, String endpoint, Optional<String> expected) {
    Promise<Void> done = Promise.promise();
    service.verticle().runContext().runOnContext(v -> vertx.setPeriodic(1, 20, t -> owners.owner(endpoint)
        .onSuccess(found -> {
          if (found.equals(expected) && done.tryComplete()) {
            vertx.cancelTimer(t);
          }
        })));
    return done.future();
  }

  /** Counts look-ups of an endpoint's owner that reach the store. */
  private static final class CountingUsers implements UserStore {
    private final UserStore delegate;
    final java.util.concurrent.atomic.AtomicInteger lookups = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger finds = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger lists = new java.util.concurrent.atomic.AtomicInteger();

    CountingUsers(UserStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public Future<User> create(User user) {
      return delegate.create(user);
    }

    @Override
    public Future<Optional<User>> find(String username) {
      finds.incrementAndGet();
      return delegate.find(username);
    }

    @Override
    public Future<Optional<User>> findByUsernameOrExtension(String userPart) {
      lookups.incrementAndGet();
      return delegate.findByUsernameOrExtension(userPart);
    }

    @Override
    public Future<List<User>> list() {
      lists.incrementAndGet();
      return delegate.list();
    }

    @Override
    public Future<User> update(String username, io.switchboard.core.model.UserChanges changes) {
      return delegate.update(username, changes);
    }

    @Override
    public Future<Void> delete(String username) {
      return delegate.delete(username);
    }
  }

  // ---- the link ----------------------------------------------------------------------------------

  @Test
  void aWrongSecretIsReportedPlainlyAndRetriedSlowly() throws Exception {
    service = new TelephonyService(vertx, config("wrong-secret").ami(), health, users, devices);
    await(service.start());

    assertEquals(Health.State.DOWN, health.state("ami"));
    JsonObject ami = health.toJson().getJsonObject("components").getJsonObject("ami");
    assertEquals("AMI login refused: check ami.username/ami.secret", ami.getString("error"));
    assertEquals(30, ami.getInteger("retryInSeconds"));
    assertEquals(1, asterisk.count("Login"), "one attempt, the next in 30 s");
  }

  @Test
  void refusedLoginsAreRetriedAtTheAuthPaceNotTheLinkPace() throws Exception {
    // Link back-off 100 ms, login refusal 400 ms: three attempts take at least 800 ms.
    long started = System.nanoTime();
    service = new TelephonyService(vertx, config("wrong-secret").ami(), health, users, devices, FAST);
    await(service.start());
    await(Future.fromCompletionStage(asterisk.awaitActions("Login", 3)));
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    assertTrue(elapsedMs >= 800, "3 logins after " + elapsedMs + " ms");
    assertTrue(asterisk.count("Login") <= 4, asterisk.count("Login") + " logins");
    assertEquals(Health.State.DOWN, health.state("ami"));
  }

  @Test
  void anUnreachableAsteriskIsReportedAndDoesNotFailTheStart() throws Exception {
    int nobody = FreePorts.udpAndTcp();
    SwitchboardConfig.Ami ami = new SwitchboardConfig.Ami(Optional.of("127.0.0.1"), nobody, "uc", "ucsecret");
    service = new TelephonyService(vertx, ami, health, users, devices);
    await(service.start());

    assertEquals(Health.State.DOWN, health.state("ami"));
    JsonObject details = health.toJson().getJsonObject("components").getJsonObject("ami");
    assertTrue(details.getString("error").startsWith("AMI unreachable at 127.0.0.1:" + nobody), details.encode());
    assertEquals(1, details.getInteger("retryInSeconds"));
  }

  @Test
  void aCallThatEndedWhileTheLinkWasDownEndsOnReconnect() throws Exception {
    startConnected(FAST);
    asterisk.send(AmiTrace.load("02-call-answered.ami").afterLoginThrough("Event: BridgeEnter", 2));
    assertEquals(List.of(DIALING, IN_CALL), await(statesOf("alice", 2)));
    assertEquals(List.of(RINGING, IN_CALL), await(statesOf("bob", 2)));

    // The call ends while we are cut off; Asterisk then lists no channel.
    asterisk.dropConnections();
    await(Future.fromCompletionStage(asterisk.awaitActions("CoreShowChannels", 2)));

    assertEquals(List.of(DIALING, IN_CALL, IDLE), await(statesOf("alice", 3)));
    assertEquals(List.of(RINGING, IN_CALL, IDLE), await(statesOf("bob", 3)));
    assertEquals(2, asterisk.count("Login"));
    assertEquals(Health.State.UP, health.state("ami"));
  }

  @Test
  void aCallStillUpAfterReconnectPublishesNothing() throws Exception {
    startConnected(FAST);
    asterisk.send(AmiTrace.load("02-call-answered.ami").afterLoginThrough("Event: BridgeEnter", 2));
    assertEquals(List.of(DIALING, IN_CALL), await(statesOf("alice", 2)));
    assertEquals(List.of(RINGING, IN_CALL), await(statesOf("bob", 2)));

    asterisk.reply("CoreShowChannels", "action-CoreShowChannels-incall.ami");
    asterisk.dropConnections();
    await(Future.fromCompletionStage(asterisk.awaitActions("CoreShowChannels", 2)));
    await(service.resync());

    assertEquals(List.of(DIALING, IN_CALL), states("alice"));
    assertEquals(List.of(RINGING, IN_CALL), states("bob"));
  }

  @Test
  void aCallAlreadyUpWhenWeConnectIsPublishedFromTheList() throws Exception {
    asterisk.reply("CoreShowChannels", "action-CoreShowChannels-incall.ami");
    startConnected(FAST);

    assertEquals(List.of(IN_CALL), await(statesOf("alice", 1)));
    assertEquals(List.of(IN_CALL), await(statesOf("bob", 1)));
    assertEquals("1002", eventsOf("alice").get(0).peer());
    assertEquals("1001", eventsOf("bob").get(0).peer());
  }

  @Test
  void aDeviceStateThatContradictsOurChannelsTriggersAResync() throws Exception {
    startConnected(new AmiTiming(Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofMillis(400),
        Duration.ofSeconds(20), Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMillis(200)));
    asterisk.reply("CoreShowChannels", "action-CoreShowChannels-incall.ami");
    // Asterisk says 1002 rings, but we saw no channel of it (events lost): ask Asterisk for the truth.
    String ringing = AmiTrace.load("02-call-answered.ami").afterLogin().stream()
        .filter(b -> b.startsWith("Event: DeviceStateChange") && b.contains("Device: PJSIP/1002")).findFirst().orElseThrow();
    asterisk.send(List.of(ringing));

    await(Future.fromCompletionStage(asterisk.awaitActions("CoreShowChannels", 2)));
    assertEquals(List.of(IN_CALL), await(statesOf("bob", 1)));
  }

  @Test
  void anAsteriskThatStopsAnsweringPingsIsLeftAndReconnected() throws Exception {
    asterisk.ignore("Ping");
    startConnected(new AmiTiming(Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofMillis(400),
        Duration.ofMillis(200), Duration.ofMillis(500), Duration.ofMinutes(5), Duration.ofSeconds(3)));

    // Ping unanswered for 500 ms: the session is given up, a new one logs in and resyncs.
    await(Future.fromCompletionStage(asterisk.awaitActions("CoreShowChannels", 2)));
    assertTrue(asterisk.count("Ping") >= 1);
    assertTrue(asterisk.count("Login") >= 2);
  }

  @Test
  void withoutAHostTelephonyIsNotConfigured() throws Exception {
    SwitchboardConfig.Ami ami = new SwitchboardConfig.Ami(Optional.empty(), 5038, "", "");
    service = new TelephonyService(vertx, ami, health, users, devices);
    await(service.start());

    assertEquals(Health.State.NOT_CONFIGURED, health.state("ami"));
    assertTrue(health.healthy());
    assertEquals(0, asterisk.received().size());
  }

  // ---- helpers -------------------------------------------------------------------------------------

  private SwitchboardConfig config(String secret) throws Exception {
    return TestConfigs.loopback(dataDir, FreePorts.udpAndTcp(), 0, Map.of("ami.host", "127.0.0.1",
        "ami.port", String.valueOf(asterisk.port()), "ami.username", "uc", "ami.secret", secret));
  }

  /** Starts with the right secret and waits until the first resync has been answered. */
  private void startConnected(AmiTiming timing) throws Exception {
    startConnected(timing, users);
  }

  private void startConnected(AmiTiming timing, UserStore userStore) throws Exception {
    service = new TelephonyService(vertx, config("ucsecret").ami(), health, userStore, devices, timing);
    CompletableFuture<Void> listed = asterisk.awaitActions("CoreShowChannels", 1);
    await(service.start());
    assertEquals(Health.State.UP, health.state("ami"));
    await(Future.fromCompletionStage(listed));
  }

  /** Completes with the user's states once at least {@code count} have been published. */
  private Future<List<CallStateEvent.State>> statesOf(String user, int count) {
    Promise<List<CallStateEvent.State>> p = Promise.promise();
    synchronized (events) {
      List<CallStateEvent.State> seen = states(user);
      if (seen.size() >= count) {
        p.complete(seen);
      } else {
        waiters.add(new Waiter(user, count, p));
      }
    }
    return p.future();
  }

  private List<CallStateEvent.State> states(String user) {
    return eventsOf(user).stream().map(CallStateEvent::state).toList();
  }

  private List<CallStateEvent> eventsOf(String user) {
    synchronized (events) {
      return events.stream().filter(e -> e.username().equals(user)).toList();
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.await(20, TimeUnit.SECONDS);
  }
}
