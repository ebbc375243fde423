package io.switchboard.im;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.EventAddresses;
import io.switchboard.core.store.SharedStores;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.SipTestCluster;
import io.switchboard.core.testing.SipTestServer;
import io.switchboard.core.testing.Sipp;
import io.switchboard.core.testing.SippTrace;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two clustered nodes on one store both scan for missed messages: the user gets exactly one mail, because
 * the mail is claimed in the store first. "Exactly one" is read at the SMTP server (aiosmtpd) once each node
 * has decided "nothing due" for the user after the mail arrived, which it can only after reading the mail's
 * time from the store (before, her messages were due).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class MissedMessageMailerClusterTest {

  private SipTestCluster cluster;
  private SmtpSink sink;

  @AfterEach
  void tearDown() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
    if (sink != null) {
      sink.close();
    }
  }

  @Test
  void twoNodesSendOneMail(@TempDir Path dir) throws Exception {
    int smtpPort = FreePorts.udpAndTcp();
    sink = SmtpSink.plain(smtpPort);
    Map<String, String> smtp = Map.of("smtp.host", "127.0.0.1", "smtp.port", String.valueOf(smtpPort),
        "smtp.starttls", "disabled", "smtp.from", "switchboard@switchboard.test", "notify.email.after", "1",
        "notify.email.interval", "3600");
    cluster = new SipTestCluster(2);
    Vertx a = cluster.member(0);
    Vertx b = cluster.member(1);
    BlockingQueue<MissedMessageMailer.Decision> onA = new LinkedBlockingQueue<>();
    BlockingQueue<MissedMessageMailer.Decision> onB = new LinkedBlockingQueue<>();
    SipTestServer serverA = node(a, dir.resolve("a"), smtp, onA);
    Map<String, String> withStore = new HashMap<>(smtp);
    withStore.put("mongo.uri", SharedStores.uriOf(serverA.store));
    node(b, dir.resolve("b"), withStore, onB);
    serverA.createUser("alice", "1001", "alice-sip-secret").await(20, TimeUnit.SECONDS);
    serverA.createUser("carol", "1003", "carol-sip-secret").await(20, TimeUnit.SECONDS);

    for (String body : List.of("one", "two")) {
      Sipp.Result r = Sipp.scenario("send-message.xml", serverA.sipPort()).key("domain", serverA.domain())
          .key("from", "alice").key("to", "carol").key("ctype", "text/plain;charset=UTF-8").key("body", body)
          .auth("alice", "alice-sip-secret").run();
      assertTrue(r.passed(), r::toString);
      assertEquals(202, SippTrace.lastStatus(r.messages()), r::toString);
    }
    // Opted in once both are stored and due: from now on both nodes want to mail her.
    b.eventBus().<JsonObject>request(EventAddresses.IM_EMAIL_SETTINGS, new JsonObject().put("username", "carol")
        .put("change", new JsonObject().put("email", "carol@example.test").put("notifyMissed", true)))
        .await(20, TimeUnit.SECONDS);

    JsonObject mail = sink.nextMail(120, TimeUnit.SECONDS);
    assertNotNull(mail, () -> "no mail; SMTP server said: " + sink.errors());
    assertTrue(mail.getString("text").contains("one") && mail.getString("text").contains("two"), mail::encodePrettily);
    // Decided before the mail: dropped. Now each node must read the mail's time from the store: nothing due.
    onA.clear();
    onB.clear();
    awaitNothingDue(onA);
    awaitNothingDue(onB);
    assertEquals(1, sink.received().size(), () -> sink.received().toString());
  }

  private static void awaitNothingDue(BlockingQueue<MissedMessageMailer.Decision> decisions) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      MissedMessageMailer.Decision d = decisions.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (d != null && d.username().equals("carol") && d.outcome() == MissedMessageMailer.Outcome.NOTHING_DUE) {
        return;
      }
    }
    throw new AssertionError("no NOTHING_DUE for carol");
  }

  private SipTestServer node(Vertx vertx, Path dir, Map<String, String> settings,
      BlockingQueue<MissedMessageMailer.Decision> decisions) throws Exception {
    ImService[] im = new ImService[1];
    SipTestServer server = cluster.server(vertx, dir, settings,
        t -> im[0] = new ImService(vertx, t.config, t.users, t.devices, t.sip, t.store));
    vertx.executeBlocking(() -> {
      im[0].createIndexes();
      return null;
    }).await(60, TimeUnit.SECONDS);
    im[0].mailer().onDecision(decisions::add);
    im[0].start().await(30, TimeUnit.SECONDS);
    cluster.stopBefore(server, im[0]::stop);
    return server;
  }
}
