package io.switchboard.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.admin.LogLevelList;
import io.switchboard.api.admin.LogLevelsRequest;
import io.switchboard.api.cluster.AmiHolder;
import io.switchboard.api.cluster.ClusterMerged;
import io.switchboard.api.cluster.BindingChanged;
import io.switchboard.api.cluster.ConsoleOpen;
import io.switchboard.api.cluster.FailureCounted;
import io.switchboard.api.cluster.PresencePublication;
import io.switchboard.api.cluster.ProfileChanged;
import io.switchboard.api.cluster.SipSend;
import io.switchboard.api.cluster.SipSendResult;
import io.switchboard.api.im.BroadcastAudience;
import io.switchboard.api.im.BroadcastEvent;
import io.switchboard.api.im.BroadcastInfo;
import io.switchboard.api.im.BroadcastQuery;
import io.switchboard.api.im.BroadcastRef;
import io.switchboard.api.im.BroadcastSend;
import io.switchboard.api.im.Broadcasts;
import io.switchboard.api.im.ConsoleDeliver;
import io.switchboard.api.im.ImConversations;
import io.switchboard.api.im.ImConversationsQuery;
import io.switchboard.api.im.ImHistoryQuery;
import io.switchboard.api.im.ImMessages;
import io.switchboard.api.im.ImSearchQuery;
import io.switchboard.api.im.RoomCreate;
import io.switchboard.api.im.RoomDelete;
import io.switchboard.api.im.RoomInfo;
import io.switchboard.api.im.RoomListQuery;
import io.switchboard.api.im.Rooms;
import io.switchboard.api.presence.BuddiesChanged;
import io.switchboard.api.presence.BuddiesRequest;
import io.switchboard.api.presence.NotifiedEvent;
import io.switchboard.api.presence.PresenceUpdate;
import io.switchboard.api.presence.WatcherEvent;
import io.switchboard.api.provisioning.CheckSyncEvent;
import io.switchboard.api.presence.BuddyList;
import io.switchboard.api.presence.PendingQuery;
import io.switchboard.api.presence.PendingWatchers;
import io.switchboard.api.presence.PresenceOf;
import io.switchboard.api.presence.PresenceQuery;
import io.switchboard.api.presence.PresenceSet;
import io.switchboard.api.presence.PresenceStatus;
import io.switchboard.api.presence.DeviceUsed;
import io.switchboard.api.presence.Rules;
import io.switchboard.api.presence.RulesRequest;
import io.switchboard.api.presence.WatcherRule;
import io.switchboard.api.provisioning.DeviceList;
import io.switchboard.api.provisioning.DeviceRequest;
import io.switchboard.api.provisioning.DeviceView;
import io.switchboard.api.provisioning.ImportReport;
import io.switchboard.api.provisioning.ImportRequest;
import io.switchboard.api.sip.Bindings;
import io.switchboard.api.sip.BindingsQuery;
import io.switchboard.api.telephony.AmiReloadRequest;
import io.switchboard.api.telephony.CallProgress;
import io.switchboard.api.telephony.Originate;
import io.switchboard.api.telephony.OriginateQueued;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.eventbus.impl.codecs.JsonObjectMessageCodec;
import io.vertx.core.eventbus.impl.codecs.ReplyExceptionMessageCodec;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every record of the contract survives what a clustered event bus does to it: its JSON written to
 * bytes by Vert.x's own cluster codec and read back on the other node, then {@code fromJson}. A
 * record added without a sample here fails {@link #everyRecordHasASample()}.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class BusCodecsTest {

  private static final Instant T1 = Instant.parse("2026-11-30T11:30:00.123456789Z");
  private static final Instant T2 = Instant.parse("2026-11-30T11:31:02Z");
  private static final Caller ALICE = Caller.user("alice");
  private static final Caller ADMIN = Caller.admin("root");
  private static final ImMessage MESSAGE = new ImMessage("m1", "alice", "Alice Smith", "bob", null, "héllo \"bob\"\n",
      "DELIVERED", T1, T2);
  private static final ImMessage ROOM_MESSAGE = new ImMessage("m2", "bob", "Bob", "carol", "team", "hi all", "STORED",
      T2, null);
  private static final DeviceView DEVICE = new DeviceView("d1", "alice", "desk-phone", "yealink", "T54W",
      "001565aabbcc", "1001", new JsonObject().put("accept", List.of("text/plain")).put("blf", true), T1, T2,
      "http://127.0.0.1:8081/p/001565aabbcc.cfg");

  private static final BindingChanged.Binding BINDING = new BindingChanged.Binding("alice", "k1",
      "sip:alice@127.0.0.1:5062;transport=tcp", 1764500000000L, "call-1", 7L, 0.5f, "baresip", List.of("text/plain"),
      "tcp", "127.0.0.1:5062", "d1", "node-a");

  /** One sample of every record (the nested ones too), with nulls where the contract allows them. */
  static List<BusPayload> samples() {
    return List.of(
        ALICE, ADMIN, new Caller("nobody", Set.of()), NoContent.INSTANCE,
        new CallStateEvent("alice", CallStateEvent.State.IN_CALL, "1002"),
        new CallStateEvent("bob", CallStateEvent.State.IDLE, null),
        new DeviceEvent("d1", "alice", DeviceEvent.Change.UPDATED, DEVICE.toJson()),
        MESSAGE, ROOM_MESSAGE,
        new ImSend(ALICE, "room-team", "hello"),
        new RegistrationEvent("alice", RegistrationEvent.Change.REGISTERED, "sip:alice@127.0.0.1:5062", "Yealink",
            List.of("text/plain", "message/cpim"), 2),
        new SecurityEvent(SecurityEvent.Kind.DIGEST_FAILED, "alice", "127.0.0.1:5062", "wrong credentials", 1234567L),
        new UserEvent("alice", UserEvent.Change.DELETED, false),
        new ConsolePresence("alice", true),
        // im
        new ConsoleDeliver(MESSAGE),
        new ImConversations(List.of(new ImConversations.Conversation("bob", MESSAGE),
            new ImConversations.Conversation("room-team", ROOM_MESSAGE))),
        new ImConversations.Conversation("bob", MESSAGE),
        new ImConversationsQuery(ALICE),
        new ImHistoryQuery(ALICE, "bob", "2026-01-31T12:00:00Z", 50),
        new ImHistoryQuery(ALICE, "room-team", null, 1),
        new ImMessage("m3", "alice", "Alice", "bob", null, "seen", "DELIVERED", T1, T1, T2, null),
        new io.switchboard.api.im.ImSeen(ALICE, "m3"),
        new ImMessages(List.of(MESSAGE, ROOM_MESSAGE)),
        new ImSearchQuery(ALICE, "budget report", null, null, null, null, null, 50),
        new ImSearchQuery(ALICE, null, "1002", "team", "bob", "2026-01-01T00:00:00Z", "2026-01-31T12:00:00Z", 10),
        new io.switchboard.api.im.FileRef("AAAAAAAAAAAAAAAAAAAAAA", "report \"q3\".pdf", 26_214_400L, "application/pdf",
            "https://uc.example.com/f/AAAAAAAAAAAAAAAAAAAAAA?t=BBBBBBBBBBBBBBBBBBBBBB"),
        new ImMessage("m3", "alice", "Alice", "bob", null, "Alice sent a.png (12 bytes): https://x/f/a?t=b", "STORED", T1,
            null, new io.switchboard.api.im.FileRef("a", "a.png", 12, "image/png", "https://x/f/a?t=b")),
        new io.switchboard.api.im.ImFileSend(ALICE, "room-team", "AAAAAAAAAAAAAAAAAAAAAA"),
        new RoomCreate(ALICE, "team", List.of("bob", "carol")),
        new RoomDelete(ADMIN, "team"),
        new RoomInfo("team", "room-team", List.of("alice", "bob"), "alice", T1),
        new RoomListQuery(ADMIN),
        new Rooms(List.of(new RoomInfo("team", "room-team", List.of("alice"), "alice", T2))),
        new BroadcastAudience(BroadcastAudience.Kind.ALL, null, List.of()), BroadcastAudience.group("team"),
        new BroadcastSend(new Caller("carol", Set.of(Caller.Role.BROADCASTER)), "Fire drill at 3",
            BroadcastAudience.users(List.of("alice", "bob")), "2026-12-01T15:00:00Z", null),
        new BroadcastSend(ADMIN, "Canteen closed", BroadcastAudience.all(), null, "b1"),
        new BroadcastInfo("b2", "Canteen closed", "root", BroadcastAudience.all(), T1, null, "b1", false),
        new Broadcasts(List.of(new BroadcastInfo("b3", "Drill", "root", BroadcastAudience.group("team"), T1, T2, null, true))),
        new BroadcastQuery(ALICE), new BroadcastRef(ADMIN, "b1"),
        BroadcastEvent.sent(new BroadcastInfo("b4", "Hi", "root", BroadcastAudience.users(List.of("bob")), T2, null, null,
            false), List.of("bob")),
        BroadcastEvent.gone("b1", null),
        // presence
        BuddiesRequest.list(ALICE), BuddiesRequest.add(ALICE, "1002", "work", null), BuddiesRequest.remove(ALICE, "bob"),
        new BuddyList(List.of(new BuddyList.Buddy("bob", null, "Bob", new PresenceStatus("away", "lunch"), true))),
        new BuddyList.Buddy("carol", "home", "Carol", new PresenceStatus("offline", null), false),
        new PendingQuery(ALICE),
        new PendingWatchers(List.of(new PendingWatchers.Pending("carol", T1))),
        new PendingWatchers.Pending("dave", T2),
        new PresenceOf("bob", new PresenceStatus("on-the-phone", "On the phone")),
        new PresenceQuery(ALICE, "1002"),
        new PresenceSet(ALICE, "dnd", null, "2026-12-01T08:00:00Z"),
        new PresenceStatus("available", null),
        new PresenceStatus("away", "lunch", "mobile"),
        new DeviceUsed("bob", "d-1", "desk-phone", "call", 1234567L),
        new Rules(List.of(new WatcherRule("*", "confirm"), new WatcherRule("bob", "polite-block"))),
        RulesRequest.get(ALICE), RulesRequest.put(ALICE, List.of(new WatcherRule("bob", "allow"))),
        new WatcherRule("carol", "block"),
        new BuddiesChanged("alice"),
        new PresenceUpdate("alice", "bob", new PresenceStatus("busy", null)),
        new WatcherEvent("bob", "alice", "pending"),
        new NotifiedEvent("bob", "alice", "presence", "active", new PresenceStatus("away", "lunch")),
        new NotifiedEvent("bob", "carol", "dialog", "pending", null),
        // provisioning
        new DeviceList(List.of(DEVICE)),
        DeviceRequest.list(ADMIN, "alice"), DeviceRequest.get(ADMIN, "d1"),
        DeviceRequest.create(ADMIN, "alice", new JsonObject().put("kind", "softphone")),
        DeviceRequest.patch(ADMIN, "d1", new JsonObject().put("mac", "00:15:65:aa:bb:cc")), DeviceRequest.delete(ADMIN, "d1"),
        DEVICE,
        new DeviceView("d2", "bob", "web", null, null, null, null, new JsonObject(), null, null, null),
        new ImportReport(3, 2, 1, List.of(), List.of("alice")),
        new ImportReport(0, 0, 0, List.of(new ImportReport.RowError(3, "mac", "mac: 12 hex digits")), List.of()),
        new ImportReport.RowError(4, null, "a device row needs a user"),
        new ImportRequest(ADMIN, "username,extension\nalice,1001\n"),
        new CheckSyncEvent("alice", List.of("d1", "d2"), 3),
        // sip
        new Bindings(List.of(new Bindings.Binding("alice", "sip:alice@127.0.0.1:5062", "baresip", "tls",
            "127.0.0.1:5062", null, null, 3599))),
        new Bindings.Binding("bob", "sip:bob@[::1]:5064", null, "udp", "[::1]:5064", "d1", "node-b", 0),
        new BindingsQuery(ADMIN, null), new BindingsQuery(ADMIN, "alice"),
        // telephony
        new AmiReloadRequest("res_pjsip.so"),
        new CallProgress("c1", "alice", "1002", "busy", 5), new CallProgress("c2", "bob", "0123456", "answered", null),
        new Originate(ALICE, "bob", null), new Originate(ALICE, "0123456", "d1"),
        new OriginateQueued("c1", "1001", "1002", true, "queued"),
        new io.switchboard.api.telephony.ConferenceStart(ALICE, "sales", List.of("alice", "bob")),
        new io.switchboard.api.telephony.ConferenceStarted("sales", "8000", List.of("alice"), List.of("bob")),
        new io.switchboard.api.telephony.ConferenceState("sales", true, List.of("alice"), List.of("alice", "bob")),
        io.switchboard.api.telephony.ConferenceState.none("sales"),
        new io.switchboard.api.telephony.ConferenceQuery("sales"),
        new io.switchboard.api.telephony.VoicemailWaiting("alice", "1001@default", 2, 1),
        new io.switchboard.api.telephony.VoicemailWaiting("bob", null, 0, 0),
        new io.switchboard.api.telephony.VoicemailQuery(ALICE),
        // admin
        new LogLevelList(List.of(new LogLevelList.LoggerLevel("ROOT", "INFO", "INFO"))),
        // cluster
        new BindingChanged("node-a", RegistrationEvent.Change.REGISTERED, BINDING),
        new BindingChanged("node-b", RegistrationEvent.Change.EXPIRED, new BindingChanged.Binding("bob", "k2",
            "sip:bob@127.0.0.1:5064", 1234L, null, 0L, 1.0f, null, List.of(), "udp", null, null, null)),
        BINDING,
        new SipSend("MESSAGE sip:alice@127.0.0.1:5062 SIP/2.0\r\nCall-ID: x\r\n\r\n", "aGk=", "tls", 1_800_000_000_000L),
        new SipSend("NOTIFY sip:alice@127.0.0.1:5062 SIP/2.0\r\n\r\n", null, "udp", 0),
        new SipSendResult(200, "OK"), new SipSendResult(408, null),
        PresencePublication.published("node-a", "alice", null, "e1", new PresenceStatus("away", "lunch"), 1234567L),
        PresencePublication.published("node-a", "alice", "e1", "e2", new PresenceStatus("available", null), 1234568L),
        PresencePublication.removed("node-b", "alice", "e2"),
        new ProfileChanged("node-a", "alice", ProfileChanged.What.MANUAL),
        new AmiHolder(true), new AmiHolder(false), new ClusterMerged("node-b"),
        new ConsoleOpen("alice"),
        new FailureCounted("node-a", new JsonObject().put("source", "127.0.0.1").put("user", "alice")),
        new LogLevelList.LoggerLevel("io.switchboard.im", "DEBUG", "DEBUG"),
        LogLevelsRequest.read(ADMIN), LogLevelsRequest.set(ADMIN, "io.switchboard.im", null));
  }

  /** What a remote node reads: the JSON through Vert.x's cluster codec (bytes), then the record's fromJson. */
  private static Object acrossTheCluster(BusPayload payload) throws ReflectiveOperationException {
    JsonObjectMessageCodec codec = new JsonObjectMessageCodec();
    Buffer wire = Buffer.buffer();
    codec.encodeToWire(wire, payload.toJson());
    JsonObject received = codec.decodeFromWire(0, wire);
    Method fromJson = payload.getClass().getMethod("fromJson", JsonObject.class);
    return fromJson.invoke(null, received);
  }

  @Test
  void everyRecordSurvivesTheClusterWire() throws Exception {
    for (BusPayload sample : samples()) {
      assertEquals(sample, acrossTheCluster(sample), () -> sample.getClass().getName() + ": " + sample.toJson().encode());
      // and its plain JSON text, as a log or another language would carry it
      Method fromJson = sample.getClass().getMethod("fromJson", JsonObject.class);
      assertEquals(sample, fromJson.invoke(null, new JsonObject(sample.toJson().encode())), sample.getClass().getName());
    }
  }

  @Test
  void everyRecordHasASample() throws Exception {
    Path classes = Path.of(BusPayload.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Set<String> records = new TreeSet<>();
    try (Stream<Path> files = Files.walk(classes)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
        String name = classes.relativize(f).toString().replace(java.io.File.separatorChar, '.').replaceAll("\\.class$", "");
        Class<?> c = Class.forName(name);
        if (c.isRecord() && BusPayload.class.isAssignableFrom(c)) {
          records.add(c.getName());
          assertTrue(java.lang.reflect.Modifier.isStatic(c.getMethod("fromJson", JsonObject.class).getModifiers()), name);
        }
      }
    }
    Set<String> sampled = new TreeSet<>();
    samples().forEach(s -> sampled.add(s.getClass().getName()));
    assertEquals(records, sampled, "records without a sample, or samples of no record");
    assertTrue(records.size() >= 45, "the scan found the records: " + records);
  }

  @Test
  void aFailureKeepsItsCodeFieldAndMessageAcrossTheClusterWire() {
    BusFailure sent = BusFailure.invalid("name", "2 to 32 characters");
    // What Message.fail puts on the wire on a clustered bus: a ReplyException through its cluster codec.
    ReplyExceptionMessageCodec codec = new ReplyExceptionMessageCodec();
    Buffer wire = Buffer.buffer();
    codec.encodeToWire(wire, new ReplyException(ReplyFailure.RECIPIENT_FAILURE, sent.code(), sent.toJson().encode()));
    BusFailure received = BusFailure.from(codec.decodeFromWire(0, wire));
    assertEquals(400, received.code());
    assertEquals("name", received.field());
    assertEquals("name: 2 to 32 characters", received.getMessage());
    assertFalse(received.notAnswered());
    assertEquals(sent.toJson(), BusFailure.fromJson(new JsonObject(sent.toJson().encode())).toJson());
  }

  @Test
  void failuresWithoutAFieldOrAnAnswer() {
    BusFailure plain = BusFailure.from(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 503, "store: down"));
    assertEquals(503, plain.code());
    assertNull(plain.field(), "no field is guessed from a plain message");
    assertEquals("store: down", plain.getMessage());
    BusFailure braces = BusFailure.from(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 400, "{not json"));
    assertEquals("{not json", braces.getMessage());
    BusFailure nobody = BusFailure.from(new ReplyException(ReplyFailure.NO_HANDLERS, -1, "no handlers"));
    assertTrue(nobody.notAnswered());
    assertEquals(503, nobody.code());
    assertEquals(500, BusFailure.from(new IllegalStateException("boom")).code());
  }

  @Test
  void requestAndAnswerWithRecords(Vertx vertx) {
    BusConsumers consumers = new BusConsumers(vertx);
    consumers.answer("test.rooms.delete", RoomDelete::fromJson, q -> q.caller().isAdmin()
        ? io.vertx.core.Future.succeededFuture(NoContent.INSTANCE)
        : io.vertx.core.Future.failedFuture(BusFailure.forbidden("name", "not yours")), BusCalls::internal).await();
    assertEquals(new JsonObject(), BusCalls.request(vertx.eventBus(), "test.rooms.delete", new RoomDelete(ADMIN, "t"))
        .await());
    BusFailure refused = awaitFailure(vertx, new RoomDelete(ALICE, "t"));
    assertEquals(403, refused.code());
    assertEquals("name", refused.field());
    assertEquals("name: not yours", refused.getMessage());
    // a request that is not the record (no caller): refused as unreadable, not answered as someone
    try {
      vertx.eventBus().request("test.rooms.delete", new JsonObject().put("name", "t")).await();
      throw new AssertionError("a request without a caller was answered");
    } catch (ReplyException e) {
      assertEquals(400, BusFailure.from(e).code());
    }
    consumers.unregisterAll().await();
    BusFailure gone = awaitFailure(vertx, new RoomDelete(ADMIN, "t"));
    assertTrue(gone.notAnswered());
  }

  private static BusFailure awaitFailure(Vertx vertx, BusPayload request) {
    try {
      BusCalls.request(vertx.eventBus(), "test.rooms.delete", request).await();
    } catch (BusFailure f) {
      return f;
    }
    throw new AssertionError("the request was answered");
  }
}
