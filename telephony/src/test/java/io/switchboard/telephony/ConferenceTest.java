package io.switchboard.telephony;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.BusCalls;
import io.switchboard.api.BusFailure;
import io.switchboard.api.Caller;
import io.switchboard.api.EventAddresses;
import io.switchboard.api.ImSend;
import io.switchboard.api.telephony.ConferenceQuery;
import io.switchboard.api.telephony.ConferenceStart;
import io.switchboard.api.telephony.ConferenceStarted;
import io.switchboard.api.telephony.ConferenceState;
import io.switchboard.api.telephony.VoicemailQuery;
import io.switchboard.api.telephony.VoicemailWaiting;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.health.Health;
import io.switchboard.core.model.Device;
import io.switchboard.core.model.Role;
import io.switchboard.core.model.User;
import io.switchboard.core.store.MongoDeviceStore;
import io.switchboard.core.store.MongoStore;
import io.switchboard.core.store.MongoUserStore;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A conference from a chat room and voicemail waiting, against the fake Asterisk replaying
 * {@code 09-conference.ami} (written from the AMI documentation: its header lists the Originate
 * actions expected). What is asserted: the actions Asterisk receives, the reply, the invitation in the
 * room, the {@link ConferenceState}s published as people join and leave, and the voicemail counts.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class ConferenceTest {

  private static final AmiTiming FAST = new AmiTiming(Duration.ofMillis(100), Duration.ofSeconds(2),
      Duration.ofMillis(400), Duration.ofSeconds(20), Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofSeconds(3));
  private static final String TRACE = "09-conference.ami";
  private static final Caller ALICE = Caller.user("alice");

  private Vertx vertx;
  private Path dataDir;
  private MongoStore store;
  private MongoUserStore users;
  private MongoDeviceStore devices;
  private FakeAsterisk asterisk;
  private TelephonyService service;
  private final List<JsonObject> seen = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();

  private record Waiter(Predicate<List<JsonObject>> until, Promise<List<JsonObject>> done) {
  }

  @BeforeEach
  void setUp(@TempDir Path dir) throws Exception {
    vertx = Vertx.vertx(new VertxOptions().setMaxEventLoopExecuteTime(100).setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS));
    dataDir = dir;
    asterisk = new FakeAsterisk("uc", "ucsecret").reply("Originate", "action-Originate.ami");
    SwitchboardConfig.Store storeConfig = config(Map.of()).store();
    store = await(vertx.executeBlocking(() -> MongoStore.open(storeConfig)));
    users = new MongoUserStore(vertx, store);
    devices = new MongoDeviceStore(vertx, store);
    await(vertx.executeBlocking(() -> {
      users.createIndexes();
      devices.createIndexes();
      return null;
    }));
    Instant now = Instant.now();
    for (String[] u : new String[][] {{"alice", "1001", "Alice Liddell"}, {"bob", "1002", "Bob"}, {"oscar", "1004", "Oscar"}}) {
      await(users.create(new User(u[0], u[2], u[1], Role.USER, true, null, Map.of(), now, now)));
    }
    await(devices.create(new Device("d-1", "alice", Device.Kind.DESK_PHONE, "yealink", "T54W", "805ec0aabbcc",
        "alice-desk", "secret", "token", null, now, now)));
    for (String address : List.of(EventAddresses.CONFERENCE_CHANGED, EventAddresses.VOICEMAIL_WAITING,
        EventAddresses.CALL_STATE)) {
      vertx.eventBus().<JsonObject>consumer(address, m -> seen(m.body().copy().put("address", address)));
    }
    // IM's side of the invitation: answer as IM would, and keep what was asked.
    vertx.eventBus().<JsonObject>consumer(EventAddresses.IM_SEND, m -> {
      seen(m.body().copy().put("address", EventAddresses.IM_SEND));
      m.reply(new JsonObject());
    });
  }

  @AfterEach
  void tearDown() throws Exception {
    if (service != null) {
      await(service.stop());
    }
    asterisk.close();
    vertx.executeBlocking(() -> {
      store.close();
      return null;
    }).await(20, TimeUnit.SECONDS);
    await(vertx.close());
  }

  @Test
  void aRoomCallRingsTheFreeMembersAsksTheBusyOneAndShowsWhoJoinsAndLeaves() throws Exception {
    startConnected(Map.of("ami.conference-extension", "8000"));
    // oscar is on the phone elsewhere
    int next = asterisk.replayStep(TRACE, 0, "Event: Newchannel", 1);
    awaitCallState("oscar");

    CompletableFuture<Void> originated = asterisk.awaitActions("Originate", 2);
    ConferenceStarted started = ConferenceStarted.fromJson(await(BusCalls.request(vertx.eventBus(),
        EventAddresses.CONFERENCE_START, new ConferenceStart(ALICE, "sales", List.of("alice", "bob", "oscar")))));
    await(Future.fromCompletionStage(originated));

    assertEquals(List.of("alice", "bob"), started.rung());
    assertEquals(List.of("oscar"), started.asked());
    assertEquals("8000", started.extension());
    Map<String, String> alice = originate("PJSIP/alice-desk");
    assertEquals("internal", alice.get("context"));
    assertEquals("8000", alice.get("exten"));
    assertEquals("1", alice.get("priority"));
    assertEquals("true", alice.get("async"));
    assertTrue(alice.get("variable").contains("PJSIP_HEADER(add,Alert-Info)=info=alert-autoanswer"), alice.toString());
    assertTrue(alice.get("variable").contains("SWITCHBOARD_ROOM=sales"), alice.toString());
    Map<String, String> bob = originate("PJSIP/1002");
    assertEquals("8000", bob.get("exten"));
    assertEquals("SWITCHBOARD_ROOM=sales", bob.get("variable"), "bob has no provisioned phone: no auto-answer header");
    assertEquals(2, asterisk.count("Originate"), "oscar is not rung");

    JsonObject invitation = await(first(EventAddresses.IM_SEND));
    assertEquals("room-sales", invitation.getString("to"));
    assertEquals("alice", invitation.getJsonObject("from").getString("username"));
    assertTrue(invitation.getString("body").startsWith("Alice Liddell started a conference call: dial 8000 to join"),
        invitation.getString("body"));
    assertTrue(invitation.getString("body").contains("oscar"), invitation.getString("body"));

    // alice, then bob join
    next = asterisk.replayStep(TRACE, next, "Event: ConfbridgeJoin", 2);
    List<ConferenceState> states = await(conferenceStates(2));
    assertEquals(List.of("alice"), states.get(0).members());
    assertEquals(List.of("alice", "bob"), states.get(1).members());
    assertTrue(states.get(1).active());
    assertEquals(List.of("alice", "bob", "oscar"), states.get(1).audience());
    ConferenceState now = ConferenceState.fromJson(await(BusCalls.request(vertx.eventBus(), EventAddresses.CONFERENCE_GET,
        new ConferenceQuery("sales"))));
    assertEquals(List.of("alice", "bob"), now.members());

    // bob leaves; then alice, and the conference ends
    asterisk.replayStep(TRACE, next, "Event: ConfbridgeEnd", 1);
    states = await(conferenceStates(4));
    assertEquals(List.of("alice"), states.get(2).members());
    assertEquals(new ConferenceState("sales", false, List.of(), List.of("alice", "bob", "oscar")), states.get(3));
    now = ConferenceState.fromJson(await(BusCalls.request(vertx.eventBus(), EventAddresses.CONFERENCE_GET,
        new ConferenceQuery("sales"))));
    assertEquals(ConferenceState.none("sales"), now);
  }

  /** A member active only on their mobile is rung there, as click-to-call would. */
  @Test
  void aMemberIsRungOnTheDeviceInUse() throws Exception {
    Instant now = Instant.now();
    await(devices.create(new Device("d-mobile", "alice", Device.Kind.MOBILE, null, null, null,
        "alice-mobile", "secret", "token2", null, now, now)));
    startConnected(Map.of("ami.conference-extension", "8000"));
    vertx.eventBus().publish(EventAddresses.DEVICE_USED,
        new io.switchboard.api.presence.DeviceUsed("alice", "d-mobile", "mobile", "message", System.currentTimeMillis())
            .toJson());
    // (the use and the request reach the telephony context in the order they were sent from here)
    CompletableFuture<Void> originated = asterisk.awaitActions("Originate", 1);
    await(BusCalls.request(vertx.eventBus(), EventAddresses.CONFERENCE_START,
        new ConferenceStart(ALICE, "sales", List.of("alice"))));
    await(Future.fromCompletionStage(originated));
    assertEquals("8000", originate("PJSIP/alice-mobile").get("exten"), "the mobile, not the desk phone");
    assertEquals(1, asterisk.count("Originate"));
  }

  @Test
  void withoutAConferenceExtensionTheRequestNamesTheKey() throws Exception {
    startConnected(Map.of());
    Throwable e = BusCalls.request(vertx.eventBus(), EventAddresses.CONFERENCE_START,
        new ConferenceStart(ALICE, "sales", List.of("alice", "bob"))).transform(r -> Future.succeededFuture(r.cause()))
        .await(20, TimeUnit.SECONDS);
    BusFailure failure = BusFailure.from(e);
    assertEquals(409, failure.code());
    assertEquals("ami.conference-extension", failure.field());
    assertEquals(0, asterisk.count("Originate"));
  }

  @Test
  void messageWaitingShowsAsTheMailboxOwnersVoicemail() throws Exception {
    startConnected(Map.of());
    asterisk.replayStep(TRACE, AmiTrace.load(TRACE).afterLoginThrough("Event: ConfbridgeEnd", 1).size(), null, 0);
    JsonObject event = await(first(EventAddresses.VOICEMAIL_WAITING));
    assertEquals(new VoicemailWaiting("bob", "1002@default", 2, 1), VoicemailWaiting.fromJson(event));
    VoicemailWaiting asked = VoicemailWaiting.fromJson(await(BusCalls.request(vertx.eventBus(),
        EventAddresses.VOICEMAIL_GET, new VoicemailQuery(Caller.user("bob")))));
    assertEquals(new VoicemailWaiting("bob", "1002@default", 2, 1), asked);
    VoicemailWaiting none = VoicemailWaiting.fromJson(await(BusCalls.request(vertx.eventBus(),
        EventAddresses.VOICEMAIL_GET, new VoicemailQuery(ALICE))));
    assertEquals(new VoicemailWaiting("alice", null, 0, 0), none);
  }

  // ---- helpers -------------------------------------------------------------------------------------

  private SwitchboardConfig config(Map<String, String> more) throws Exception {
    Map<String, String> keys = new java.util.HashMap<>(Map.of("ami.host", "127.0.0.1",
        "ami.port", String.valueOf(asterisk.port()), "ami.username", "uc", "ami.secret", "ucsecret"));
    keys.putAll(more);
    return TestConfigs.loopback(dataDir, FreePorts.udpAndTcp(), 0, keys);
  }

  private void startConnected(Map<String, String> more) throws Exception {
    service = new TelephonyService(vertx, config(more).ami(), new Health(), users, devices, FAST);
    CompletableFuture<Void> listed = asterisk.awaitActions("CoreShowChannels", 1);
    await(service.start());
    await(Future.fromCompletionStage(listed));
  }

  /** Waits until telephony has published a non-idle call state for the user. */
  private void awaitCallState(String user) throws Exception {
    await(until(l -> l.stream().anyMatch(o -> EventAddresses.CALL_STATE.equals(o.getString("address"))
        && user.equals(o.getString("username")) && !"IDLE".equals(o.getString("state")))));
  }

  private Map<String, String> originate(String channel) {
    return asterisk.received().stream()
        .filter(a -> "Originate".equalsIgnoreCase(a.get("action")) && channel.equals(a.get("channel")))
        .findFirst().orElseThrow(() -> new AssertionError("no Originate for " + channel + ": " + asterisk.received()));
  }

  private Future<List<ConferenceState>> conferenceStates(int count) {
    return until(l -> l.stream().filter(o -> EventAddresses.CONFERENCE_CHANGED.equals(o.getString("address"))).count() >= count)
        .map(l -> l.stream().filter(o -> EventAddresses.CONFERENCE_CHANGED.equals(o.getString("address")))
            .map(ConferenceState::fromJson).toList());
  }

  private Future<JsonObject> first(String address) {
    return until(l -> l.stream().anyMatch(o -> address.equals(o.getString("address"))))
        .map(l -> l.stream().filter(o -> address.equals(o.getString("address"))).findFirst().orElseThrow());
  }

  private void seen(JsonObject o) {
    synchronized (seen) {
      seen.add(o);
      List<JsonObject> copy = List.copyOf(seen);
      waiters.removeIf(w -> w.until().test(copy) && w.done().tryComplete(copy));
    }
  }

  private Future<List<JsonObject>> until(Predicate<List<JsonObject>> until) {
    Promise<List<JsonObject>> p = Promise.promise();
    synchronized (seen) {
      List<JsonObject> copy = List.copyOf(seen);
      if (until.test(copy)) {
        p.complete(copy);
      } else {
        waiters.add(new Waiter(until, p));
      }
    }
    return p.future();
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.await(20, TimeUnit.SECONDS);
  }
}
