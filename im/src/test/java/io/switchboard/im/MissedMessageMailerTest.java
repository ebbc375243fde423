package io.switchboard.im;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.ConsolePresence;
import io.switchboard.api.EventAddresses;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.SipTestServer;
import io.switchboard.core.testing.Sipp;
import io.switchboard.core.testing.SippTrace;
import io.switchboard.core.testing.TestCertificates;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * E-mail for missed messages end to end: SIPp sends MESSAGEs that are stored (202), the server mails a real
 * SMTP server on loopback (aiosmtpd, {@link SmtpSink}), the test reads the mail that arrives. A "no mail" is
 * asserted after a positive event that proves the decision was made (the mailer's decision for that user,
 * or a whole scan after another user's mail), never after a wait.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 300, timeUnit = TimeUnit.SECONDS)
class MissedMessageMailerTest {

  private static final long AWAIT_SECONDS = 120;

  private Vertx vertx;
  private Path dataDir;
  private SipTestServer server;
  private ImService im;
  private SmtpSink sink;
  private final BlockingQueue<MissedMessageMailer.Decision> decisions = new LinkedBlockingQueue<>();
  private final BlockingQueue<Boolean> scans = new LinkedBlockingQueue<>();

  @AfterEach
  void stop() throws Exception {
    if (im != null) {
      im.stop().await();
    }
    if (server != null) {
      server.stop().await();
    }
    if (sink != null) {
      sink.close();
    }
  }

  private void startServer(Map<String, String> settings) throws Exception {
    Map<String, String> all = new HashMap<>(settings);
    all.put("im.fork-timeout", "3");
    all.putIfAbsent("notify.email.after", "2");
    all.put("notify.email.interval", "3600");
    all.put("smtp.from", "switchboard@switchboard.test");
    all.put("web.public-url", "https://console.switchboard.test/");
    SipTestServer s = new SipTestServer(vertx, dataDir, all);
    ImService[] made = new ImService[1];
    s.beforeSipStart.add(t -> made[0] = new ImService(vertx, t.config, t.users, t.devices, t.sip, t.store));
    s.start().await();
    vertx.executeBlocking(() -> {
      made[0].createIndexes();
      return null;
    }).await();
    made[0].mailer().onDecision(decisions::add);
    made[0].mailer().onScanDone(() -> scans.add(true));
    made[0].start().await();
    server = s;
    im = made[0];
  }

  private void restart(Map<String, String> settings) throws Exception {
    im.stop().await();
    server.stop().await();
    im = null;
    server = null;
    decisions.clear();
    startServer(settings);
  }

  private JsonObject emailSettings(String user, JsonObject change) {
    return vertx.eventBus().<JsonObject>request(EventAddresses.IM_EMAIL_SETTINGS,
        new JsonObject().put("username", user).put("change", change)).await().body();
  }

  private void stored(String from, String to, String body) throws Exception {
    Sipp.Result r = Sipp.scenario("send-message.xml", server.sipPort()).key("domain", server.domain())
        .key("from", from).key("to", to).key("ctype", "text/plain;charset=UTF-8").key("body", body)
        .auth(from, from + "-sip-secret").run();
    assertTrue(r.passed(), r::toString);
    assertEquals(202, SippTrace.lastStatus(r.messages()), r::toString);
  }

  private MissedMessageMailer.Decision awaitDecision(String user, MissedMessageMailer.Outcome outcome) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(AWAIT_SECONDS);
    while (System.nanoTime() < deadline) {
      MissedMessageMailer.Decision d = decisions.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (d != null && d.username().equals(user) && d.outcome() == outcome) {
        return d;
      }
    }
    throw new AssertionError("no " + outcome + " for " + user + " within " + AWAIT_SECONDS + " s");
  }

  private JsonObject awaitMail() throws Exception {
    JsonObject mail = sink.nextMail(AWAIT_SECONDS, TimeUnit.SECONDS);
    assertNotNull(mail, () -> "no mail arrived; SMTP server said: " + sink.errors());
    return mail;
  }

  @Test
  void oneMailOverStarttlsAndAuthForTwoMessagesThenNoneWithinTheIntervalEvenAfterARestart(Vertx vertx,
      @TempDir Path dir) throws Exception {
    this.vertx = vertx;
    this.dataDir = dir.resolve("data");
    TestCertificates.Pair cert = TestCertificates.create(dir, "smtp", 7, TestCertificates.KeyForm.EC_PKCS8);
    int port = FreePorts.udpAndTcp();
    sink = SmtpSink.withStarttlsAndAuth(port, cert.cert(), cert.key(), "switchboard", "smtp-secret-1");
    Map<String, String> settings = Map.of("smtp.host", "127.0.0.1", "smtp.port", String.valueOf(port),
        "smtp.username", "switchboard", "smtp.password", "smtp-secret-1", "smtp.starttls", "required",
        "smtp.ca-file", cert.cert().toString());
    startServer(settings);
    server.createUser("alice", "1001", "alice-sip-secret").await();
    server.createUser("bob", "1002", "bob-sip-secret").await();
    // Both stored before bob opts in, so that however slow the machine, the first mail finds both due.
    stored("alice", "bob", "Lunch at noon?");
    stored("alice", "bob", "Bring the slides, please");
    JsonObject bob = emailSettings("bob", new JsonObject().put("email", "bob@example.test").put("notifyMissed", true));
    assertEquals("bob@example.test", bob.getString("email"));

    JsonObject mail = awaitMail();
    assertEquals(List.of("bob@example.test"), mail.getJsonArray("to").getList());
    assertEquals("switchboard@switchboard.test", mail.getString("from"));
    assertTrue(mail.getBoolean("tls"), "sent after STARTTLS");
    assertEquals("switchboard", mail.getString("login"), "sent after AUTH");
    assertEquals("2 messages waiting for you on Switchboard", mail.getString("subject"));
    String text = mail.getString("text");
    assertTrue(text.contains("alice") && text.contains("2 messages:"), text);
    assertTrue(text.contains("Lunch at noon?") && text.contains("Bring the slides, please"), text);
    assertTrue(text.contains("https://console.switchboard.test/"), text);

    // A third message within the interval: the next scan decides "too soon", no second mail.
    stored("alice", "bob", "One more thing");
    assertEquals(3, awaitDecision("bob", MissedMessageMailer.Outcome.TOO_SOON).waiting());
    assertEquals(1, sink.received().size(), () -> sink.received().toString());

    // A restart remembers the last mail (it is in the store), so again no mail.
    restart(settings);
    assertEquals(3, awaitDecision("bob", MissedMessageMailer.Outcome.TOO_SOON).waiting());
    assertEquals(1, sink.received().size(), () -> sink.received().toString());
  }

  @Test
  void noMailWhenRegisteredInBetweenOptedOutOrInAConsole(Vertx vertx, @TempDir Path dir) throws Exception {
    this.vertx = vertx;
    this.dataDir = dir;
    int smtpPort = FreePorts.udpAndTcp();
    sink = SmtpSink.plain(smtpPort);
    // A delay long enough for bob's phone to register after his message was stored, on a busy machine too.
    startServer(Map.of("smtp.host", "127.0.0.1", "smtp.port", String.valueOf(smtpPort), "smtp.starttls", "disabled",
        "notify.email.after", "20"));
    for (String[] u : List.of(new String[] {"alice", "1001"}, new String[] {"bob", "1002"}, new String[] {"carol", "1003"},
        new String[] {"dave", "1004"}, new String[] {"erin", "1005"})) {
      server.createUser(u[0], u[1], u[0] + "-sip-secret").await();
    }
    JsonObject optIn = new JsonObject().put("notifyMissed", true);
    emailSettings("bob", optIn.copy().put("email", "bob@example.test"));
    emailSettings("carol", new JsonObject().put("email", "carol@example.test").put("notifyMissed", false));
    emailSettings("dave", optIn.copy().put("email", "dave@example.test"));
    emailSettings("erin", optIn.copy().put("email", "erin@example.test"));

    // bob: stored, then his phone registers and takes it before the delay is over.
    stored("alice", "bob", "for bob");
    int phonePort = FreePorts.udpAndTcp();
    Sipp.Running phone = Sipp.device("receive-message.xml", phonePort, 1).start();
    Sipp.Result registered = Sipp.scenario("register-device.xml", server.sipPort()).key("domain", server.domain())
        .key("aor", "bob").key("contact", "bob-desk").key("device", "127.0.0.1:" + phonePort).key("accept", "text/plain")
        .auth("bob", "bob-sip-secret").run();
    assertTrue(registered.passed(), registered::toString);
    Sipp.Result got = phone.await();
    assertTrue(got.passed(), got::toString);
    assertEquals(1, SippTrace.received(got.messages(), "MESSAGE").size());

    // erin has a console open (its presence as the live channel publishes it): online, no mail.
    vertx.eventBus().publish(EventAddresses.CONSOLE_PRESENCE, new ConsolePresence("erin", true).toJson());
    stored("alice", "erin", "for erin");
    stored("alice", "carol", "for carol");
    stored("alice", "dave", "for dave");

    awaitDecision("carol", MissedMessageMailer.Outcome.OPTED_OUT);
    awaitDecision("erin", MissedMessageMailer.Outcome.ONLINE);
    JsonObject mail = awaitMail();
    assertEquals(List.of("dave@example.test"), mail.getJsonArray("to").getList());
    assertTrue(mail.getString("text").contains("for dave"), mail::encodePrettily);
    // A whole scan after dave's mail considered everyone whose message was due before his: still only his.
    scans.clear();
    scans.poll(AWAIT_SECONDS, TimeUnit.SECONDS);
    assertEquals(List.of("dave@example.test"),
        sink.received().stream().map(m -> (String) m.getJsonArray("to").getValue(0)).toList());
    assertEquals(new JsonArray(), new JsonArray(sink.received().stream()
        .filter(m -> m.getString("text").contains("for bob")).toList()));
  }
}
