package io.switchboard.server;

import io.switchboard.api.sip.BindingsQuery;
import io.switchboard.api.Caller;
import io.switchboard.api.presence.BuddiesRequest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.EventAddresses;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.sip.Binding;
import io.switchboard.core.sip.LocationService;
import io.switchboard.core.sip.MongoBindingStore;
import io.switchboard.core.store.MongoStore;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.Sipp;
import io.switchboard.core.testing.SippTrace;
import io.switchboard.core.testing.TestConfigs;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A start on a data set written through the stores (bench/scale.sh's {@link ScaleDataSet}: 2,000
 * users with a desk phone, 10 buddies and 2 bindings each, plus the benchmark's names): start-up does
 * not wait for the whole-collection reads (bindings, presence profiles, endpoints), so requests that
 * come before them must find each user's part in the store. The test holds those reads back until it
 * has sent a REGISTER, a MESSAGE and SUBSCRIBEs with real SIP clients (SIPp), and checks their answers
 * against what was stored; then lets the reads run and checks the same kinds of request again.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 600, timeUnit = TimeUnit.SECONDS)
class StartWithStoredDataTest {

  private static final int USERS = 2000;
  /** u000010's first buddy in ScaleDataSet's lists ((10 + 7919) % 2000): allowed to see u000010. */
  private static final String BUDDY_OF_10 = "u001929";

  private Switchboard switchboard;
  private Sipp.Running phone;

  @AfterEach
  void stop() {
    if (phone != null) {
      phone.stop();
    }
    if (switchboard != null) {
      switchboard.stop().await();
    }
  }

  @Test
  void requestsBeforeTheStoredDataIsLoadedAreAnsweredFromTheStore(Vertx vertx, @TempDir Path dir) throws Exception {
    int sipPort = FreePorts.udpAndTcp();
    SwitchboardConfig config = TestConfigs.loopback(dir, sipPort, 0, Map.of("im.fork-timeout", "5"));
    String domain = config.sip().domain();
    ScaleDataSet.main(new String[] {dir.toString(), String.valueOf(USERS), "10", String.valueOf(2 * USERS), domain});
    // One more binding of u000010's, made before the restart: a phone (SIPp) that answers MESSAGEs.
    int phonePort = FreePorts.udpAndTcp();
    String phoneContact = "sip:u000010-phone@127.0.0.1:" + phonePort;
    try (MongoStore store = MongoStore.open(config.store())) {
      new MongoBindingStore(vertx, store).save(new Binding("u000010", phoneContact, phoneContact,
          Instant.now().plus(1, ChronoUnit.HOURS), "before-restart", 1, 1f, "SIPp", List.of("text/plain"), "udp",
          "127.0.0.1:" + phonePort, null)).await();
    }

    Promise<Void> held = Promise.promise();
    switchboard = new Switchboard(vertx, config, line -> { });
    switchboard.holdWholeReads(held.future());
    switchboard.start().await();
    LocationService location = switchboard.sip().location();
    assertFalse(location.isLoaded(), "the whole-collection reads wait: what follows reads user by user");

    // REGISTER: the 200 lists the user's stored bindings besides the new one (RFC 3261 §10.3 step 8).
    String ok = registered(sipPort, domain, "u000005");
    assertTrue(ok.contains("sip:u000005@127.0.0.1:20000") && ok.contains("sip:u000005@127.0.0.1:20001")
        && ok.contains("sip:u000005-new@"), "stored and new bindings in the 200: " + ok);

    // MESSAGE to a user who registered before the restart only: forked to the stored phone, which answers.
    phone = Sipp.device("receive-message.xml", phonePort, 1).start();
    Sipp.Result sent = Sipp.scenario("send-message.xml", sipPort).key("domain", domain).key("from", "u000020")
        .key("to", "u000010").key("ctype", "text/plain").key("body", "Sent before the bindings were read")
        .auth("u000020", "u000020-sip-pw").run();
    assertEquals(200, SippTrace.lastStatus(sent.messages()), "delivered to the stored phone, not stored: " + sent);
    Sipp.Result received = phone.await();
    assertTrue(received.passed(), received::toString);
    assertTrue(SippTrace.received(received.messages(), "MESSAGE").get(0).body()
        .contains("Sent before the bindings were read"), received::toString);
    phone = null;

    // SUBSCRIBE: the presentity's stored buddy list allows their buddy (200), who sees them registered...
    String notify = fetched(sipPort, domain, BUDDY_OF_10, "u000010", "fetch-allowed.xml");
    assertTrue(notify.contains("<basic>open</basic>"), "u000010 is registered (stored bindings): " + notify);
    // ...and the default rule (confirm) holds a stranger pending (202) with nothing to see.
    String pending = fetched(sipPort, domain, "u000030", "u000010", "fetch-pending.xml");
    assertFalse(pending.contains("<basic>open</basic>"), "a pending watcher sees nothing: " + pending);
    assertFalse(location.isLoaded(), "all of the above was answered before the whole-collection reads");

    held.complete();
    location.allLoaded().await(120, TimeUnit.SECONDS);
    // Every stored binding is in: 2 for each of the first 2,000 users, u000010's phone, u000005's new one.
    JsonObject all = vertx.eventBus().<JsonObject>request(EventAddresses.SIP_BINDINGS,
        new BindingsQuery(Caller.admin("admin"), null).toJson()).await().body();
    assertEquals(2 * USERS + 2, all.getJsonArray("bindings").size());
    // The console's buddy list (it waits for every profile): u000010's ten, from the stored profile.
    JsonObject buddies = vertx.eventBus().<JsonObject>request(EventAddresses.PRESENCE_BUDDIES,
        BuddiesRequest.list(Caller.user("u000010")).toJson()).await().body();
    assertEquals(10, buddies.getJsonArray("buddies").size(), buddies.encode());

    // Once loaded, the same requests for other users get the same kind of answers.
    String later = registered(sipPort, domain, "u000006");
    assertTrue(later.contains("sip:u000006@127.0.0.1:20000") && later.contains("sip:u000006@127.0.0.1:20001")
        && later.contains("sip:u000006-new@"), "stored and new bindings in the 200: " + later);
    String notifyLater = fetched(sipPort, domain, BUDDY_OF_10, "u000010", "fetch-allowed.xml");
    assertTrue(notifyLater.contains("<basic>open</basic>"), notifyLater);
  }

  /** Registers {@code user} with contact {@code <user>-new}; the 200's headers. */
  private static String registered(int sipPort, String domain, String user) throws Exception {
    Sipp.Result r = Sipp.scenario("register.xml", sipPort).key("domain", domain).key("aor", user)
        .key("contact", user + "-new").key("expires", "300").auth(user, user + "-sip-pw").run();
    assertTrue(r.passed(), r::toString);
    return SippTrace.parse(r.messages()).stream().filter(m -> m.received() && m.startLine().startsWith("SIP/2.0 200"))
        .findFirst().orElseThrow().headers();
  }

  /** A presence fetch by {@code watcher} (the scenario checks the status); the NOTIFY's body. */
  private static String fetched(int sipPort, String domain, String watcher, String presentity, String scenario)
      throws Exception {
    Sipp.Result r = Sipp.scenario(scenario, sipPort).key("domain", domain).key("from", watcher).key("to", presentity)
        .key("event", "presence").key("accept", "application/pidf+xml").auth(watcher, watcher + "-sip-pw").run();
    assertTrue(r.passed(), r::toString);
    return SippTrace.received(r.messages(), "NOTIFY").get(0).body();
  }
}
