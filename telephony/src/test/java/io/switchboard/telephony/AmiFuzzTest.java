package io.switchboard.telephony;

import static io.switchboard.api.CallStateEvent.State.DIALING;
import static io.switchboard.api.CallStateEvent.State.IDLE;
import static io.switchboard.api.CallStateEvent.State.IN_CALL;
import static io.switchboard.api.CallStateEvent.State.RINGING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.CallStateEvent;
import io.switchboard.api.EventAddresses;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.health.Health;
import io.switchboard.core.model.Role;
import io.switchboard.core.model.User;
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
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Garbage from the Asterisk end, made from the recorded sessions with a seeded {@link Random}
 * (printed; {@code -Dfuzz.seed=N} replays it): random bytes, truncated events, huge lines, events
 * with fields missing or absurd, byte flips, then banners that are not Asterisk's. Afterwards the
 * link logs in again, a recorded call still becomes the right call states, and no thread died.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class AmiFuzzTest {

  /** Short delays so that reconnection happens within the test. */
  private static final AmiTiming FAST = new AmiTiming(Duration.ofMillis(100), Duration.ofSeconds(2),
      Duration.ofMillis(400), Duration.ofSeconds(20), Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofSeconds(3));
  private static final String[] RECORDINGS = {"02-call-answered.ami", "03-call-cancel.ami", "05-call-hold.ami"};
  private static final String[] ABSURD = {"", "-1", "99999999999999999999", "NaN", "PJSIP/", "PJSIP/1001-", "Local/;2",
      "PJSIP/1001-00000000;2;3", "\u0000", "x".repeat(10_000), "1001@@", "<unknown>", "Ring\tRing", "2026-13-45T99:99:99"};

  private Vertx vertx;
  private MongoStore store;
  private UserStore users;
  private MongoDeviceStore devices;
  private FakeAsterisk asterisk;
  private TelephonyService service;
  private final Health health = new Health();
  private final List<CallStateEvent> events = new ArrayList<>();
  private final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
  private Thread.UncaughtExceptionHandler previousHandler;

  @BeforeEach
  void setUp(Vertx vertx, @TempDir Path dir) throws Exception {
    this.vertx = vertx;
    previousHandler = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(new IllegalStateException("thread " + t.getName(), e)));
    vertx.exceptionHandler(e -> uncaught.add(new IllegalStateException("unhandled on a Vert.x context", e)));
    asterisk = new FakeAsterisk("uc", "ucsecret");
    SwitchboardConfig config = TestConfigs.loopback(dir, FreePorts.udpAndTcp(), 0, Map.of("ami.host", "127.0.0.1",
        "ami.port", String.valueOf(asterisk.port()), "ami.username", "uc", "ami.secret", "ucsecret"));
    store = vertx.executeBlocking(() -> MongoStore.open(config.store())).await();
    MongoUserStore mongoUsers = new MongoUserStore(vertx, store);
    devices = new MongoDeviceStore(vertx, store);
    vertx.executeBlocking(() -> {
      mongoUsers.createIndexes();
      devices.createIndexes();
      return null;
    }).await();
    users = new CachingUserStore(vertx, mongoUsers, Clock.systemUTC());
    for (String[] u : new String[][] {{"alice", "1001"}, {"bob", "1002"}}) {
      Instant now = Instant.now();
      users.create(new User(u[0], u[0], u[1], Role.USER, true, null, Map.of(), now, now)).await();
    }
    vertx.eventBus().<JsonObject>consumer(EventAddresses.CALL_STATE, m -> {
      synchronized (events) {
        events.add(CallStateEvent.fromJson(m.body()));
      }
    });
    service = new TelephonyService(vertx, config.ami(), health, users, devices, FAST);
  }

  @AfterEach
  void tearDown() throws Exception {
    Thread.setDefaultUncaughtExceptionHandler(previousHandler);
    service.stop().await(20, TimeUnit.SECONDS);
    asterisk.close();
    vertx.executeBlocking(() -> {
      store.close();
      return null;
    }).await(20, TimeUnit.SECONDS);
  }

  @Test
  void garbageFromAsteriskLeavesTheLinkReconnectingAndCallStatesRight() throws Exception {
    long seed = Long.getLong("fuzz.seed", System.nanoTime());
    System.out.println("AmiFuzzTest seed " + seed + " (replay with -Dfuzz.seed=" + seed + ")");
    Random random = new Random(seed);

    var listed = asterisk.awaitActions("CoreShowChannels", 1);
    service.start().await(20, TimeUnit.SECONDS);
    Future.fromCompletionStage(listed).await(20, TimeUnit.SECONDS);

    List<byte[]> garbage = garbage(random);
    for (byte[] g : garbage) {
      asterisk.sendRaw(g);
    }
    System.out.println("AmiFuzzTest sent " + garbage.size() + " pieces of garbage");

    // Banners that are not Asterisk's: another protocol, and bytes with no line end at all.
    for (String banner : new String[] {"SSH-2.0-OpenSSH_9.6p1 Debian-4", "\u0001\u0002 not a line " + "z".repeat(5000)}) {
      asterisk.banner(banner);
      int seen = asterisk.accepted();
      asterisk.dropConnections();
      awaitAtLeast(asterisk::accepted, seen + 1);
    }

    // Asterisk as it should be: the link logs in again and resyncs.
    asterisk.banner(AmiTrace.load("action-Ping.ami").banner);
    int resyncs = asterisk.count("CoreShowChannels");
    asterisk.dropConnections();
    Future.fromCompletionStage(asterisk.awaitActions("CoreShowChannels", resyncs + 1)).await(30, TimeUnit.SECONDS);
    service.resync().await(20, TimeUnit.SECONDS);
    assertEquals(Health.State.UP, health.state("ami"));

    // Whatever the garbage made of alice's and bob's phones was undone by the resync; a real call now:
    synchronized (events) {
      events.clear();
    }
    asterisk.replay("02-call-answered.ami");
    assertEquals(List.of(DIALING, IN_CALL, IDLE), awaitStates("alice", 3));
    assertEquals(List.of(RINGING, IN_CALL, IDLE), awaitStates("bob", 3));
    assertTrue(uncaught.isEmpty(), () -> uncaught.size() + " threads died or exceptions went unhandled: " + uncaught);
  }

  // ---- garbage -------------------------------------------------------------------------------------

  private static List<byte[]> garbage(Random random) {
    List<String> recorded = new ArrayList<>();
    for (String r : RECORDINGS) {
      recorded.addAll(AmiTrace.load(r).afterLogin());
    }
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      byte[] bytes = new byte[1 + random.nextInt(4096)];
      random.nextBytes(bytes);
      out.add(bytes);
    }
    for (int i = 0; i < 60; i++) {
      String block = pick(recorded, random);
      out.add(utf8(block.substring(0, random.nextInt(block.length())) + "\r\n\r\n"));
    }
    for (int i = 0; i < 60; i++) {
      List<String> lines = new ArrayList<>(List.of(pick(recorded, random).split("\r\n")));
      for (int k = 0; k < 1 + random.nextInt(3) && lines.size() > 1; k++) {
        lines.remove(random.nextInt(lines.size()));
      }
      out.add(utf8(String.join("\r\n", lines) + "\r\n\r\n"));
    }
    for (int i = 0; i < 80; i++) {
      String[] lines = pick(recorded, random).split("\r\n");
      int at = random.nextInt(lines.length);
      int colon = lines[at].indexOf(':');
      String name = colon > 0 ? lines[at].substring(0, colon) : lines[at];
      lines[at] = name + ": " + ABSURD[random.nextInt(ABSURD.length)];
      out.add(utf8(String.join("\r\n", lines) + "\r\n\r\n"));
    }
    for (int i = 0; i < 60; i++) {
      byte[] bytes = utf8(pick(recorded, random));
      for (int k = 0; k < 1 + random.nextInt(5); k++) {
        int at = random.nextInt(bytes.length);
        bytes[at] = (byte) (bytes[at] ^ (1 << random.nextInt(8)));
      }
      out.add(concat(bytes, utf8("\r\n\r\n")));
    }
    for (int i = 0; i < 10; i++) {
      // not UTF-8 where a name is expected
      out.add(concat(utf8("Event: Newchannel\r\nChannel: PJSIP/1001-0000beef\r\nCallerIDName: "),
          new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF, (byte) 0xFE}, utf8("\r\nUniqueid: 1.1\r\n\r\n")));
    }
    out.add(utf8("Event: Newchannel\r\nChannel: PJSIP/" + "x".repeat(1 << 20) + "\r\n\r\n"));
    out.add(utf8("Event: " + "E".repeat(100_000) + "\r\n\r\n"));
    out.add(utf8("y".repeat(256 * 1024)));
    out.add(utf8("\r\n\r\n"));
    out.add(utf8(": no name\r\nno colon at all\r\n::::\r\n\r\n"));
    Collections.shuffle(out, random);
    return out;
  }

  private static String pick(List<String> blocks, Random random) {
    return blocks.get(random.nextInt(blocks.size()));
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  // ---- waiting for what happens --------------------------------------------------------------------

  /** Checks every 50 ms (bounded: 30 s) until {@code value} reaches {@code at least}. */
  private void awaitAtLeast(IntSupplier value, int atLeast) {
    Promise<Void> done = Promise.promise();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    vertx.setPeriodic(50, id -> {
      if (value.getAsInt() >= atLeast) {
        vertx.cancelTimer(id);
        done.tryComplete();
      } else if (System.nanoTime() > deadline) {
        vertx.cancelTimer(id);
        done.tryFail("still " + value.getAsInt() + ", expected at least " + atLeast);
      }
    });
    done.future().await();
  }

  /** The user's call states once at least {@code count} have been published (bounded: 20 s). */
  private List<CallStateEvent.State> awaitStates(String user, int count) {
    awaitAtLeast(() -> states(user).size(), count);
    return states(user);
  }

  /**
   * The user's call states since the events were cleared, without leading IDLEs: the resync that
   * undoes what the garbage made of a phone may announce its IDLE just after the clear.
   */
  private List<CallStateEvent.State> states(String user) {
    synchronized (events) {
      return events.stream().filter(e -> e.username().equals(user)).map(CallStateEvent::state)
          .dropWhile(s -> s == CallStateEvent.State.IDLE).toList();
    }
  }
}
