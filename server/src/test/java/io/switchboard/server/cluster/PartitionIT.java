package io.switchboard.server.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.Sipp;
import io.switchboard.core.testing.SippTrace;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A partition that heals: node B of three (the AMI holder) is paused with SIGSTOP, as a node cut off from
 * the others would be (its sockets stay open, it answers nothing). A and C remove it after the heartbeat
 * timeout and C takes the AMI link; messages for offline bob are stored through B (before), A and C, and bob
 * registers on C, which delivers them. Then SIGCONT: B merges back (Hazelcast's split-brain merge), every
 * node lists three members, B gives its old AMI session up (one link), B knows bob's binding made on C
 * meanwhile, and every stored message reached bob exactly once. A MESSAGE for carol's phone on B, sent through
 * A while B was paused, waited in B's socket and was stored by A when B was removed: B does not send it on
 * resuming, so carol gets it once (from C).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class PartitionIT {

  private static final String ADMIN_PASSWORD = "partition-admin-pw";

  @TempDir
  static Path dir;

  private ThreeNodes cluster;

  @BeforeAll
  void startThreeNodes() throws Exception {
    cluster = new ThreeNodes(dir, ADMIN_PASSWORD).withAmi();
    cluster.start();
    List<String> users = List.of("alice", "bob", "carol");
    cluster.addUsers(users, user -> String.valueOf(2200 + users.indexOf(user)));
  }

  @AfterAll
  void stopNodes() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aPausedNodeMergesBackWithoutDuplicateDeliveriesOrASecondAmiLink() throws Exception {
    assertEquals(202, SippTrace.lastStatus(cluster.sendMessage("b", "bob", "stored-1 through B").messages()));
    assertEquals(1, cluster.asterisk().loggedInSessions(), () -> "B's link: " + cluster.asterisk().received());
    String bNode = cluster.component("b", "cluster").getString("node");

    int bobPort = FreePorts.udpAndTcp();
    // Answers more MESSAGEs than should come: a duplicate would be received and counted, not refused.
    Sipp.Running bobPhone = Sipp.device("receive-message.xml", bobPort, 6).timeout(300).start();
    // Carol's phone is on B. A MESSAGE sent to her through A while B is paused goes into B's socket, unanswered;
    // A stores it when B is removed, and delivers it when she registers on C. B, resumed, must not send it too.
    int carolPort = FreePorts.udpAndTcp();
    Sipp.Running carolPhone = Sipp.device("receive-message.xml", carolPort, 4).timeout(300).start();
    cluster.register("b", "carol", carolPort);
    // The console's question reaches any node's location service: three answers in a row with the binding.
    cluster.awaitTrue("every node knows carol's binding on B", () -> cluster.bindingsOn("a", "carol") == 1
        && cluster.bindingsOn("a", "carol") == 1 && cluster.bindingsOn("a", "carol") == 1);
    NodeProcess b = cluster.node("b");
    try {
      b.pause();
      try {
        Sipp.Result toCarol = cluster.sendMessage("a", "carol", "to carol while B is paused");
        assertEquals(202, SippTrace.lastStatus(toCarol.messages()), toCarol::toString);
        assertTrue(cluster.node("a").output().contains("Requests through a node that left failed"),
            "the MESSAGE had gone to B before B was removed: " + cluster.node("a").output());
        for (String survivor : List.of("a", "c")) {
          cluster.awaitTrue("node " + survivor + " no longer lists B", () -> {
            List<String> seen = cluster.memberNodes(survivor);
            return seen.size() == 2 && !seen.contains(bNode);
          });
        }
        // C takes the link over: a second login while B's session is still open (B is only paused).
        cluster.asterisk().awaitActions("Login", 2).get(60, TimeUnit.SECONDS);
        Sipp.Result viaA = cluster.sendMessage("a", "bob", "stored-2 through A");
        assertEquals(202, SippTrace.lastStatus(viaA.messages()), viaA::toString);
        Sipp.Result viaC = cluster.sendMessage("c", "bob", "stored-3 through C");
        assertEquals(202, SippTrace.lastStatus(viaC.messages()), viaC::toString);
        // Bob registers on C, which delivers the three stored messages.
        cluster.register("c", "bob", bobPort);
        cluster.awaitTrue("bob received the three stored messages", () -> received(bobPhone).size() >= 3);
        cluster.register("c", "carol", carolPort);
        cluster.awaitTrue("carol received the stored message from C", () -> received(carolPhone).size() >= 1);
      } finally {
        b.resume(); // never leave a process stopped
      }

      // The partition heals: every node lists three members again.
      for (String name : cluster.names()) {
        cluster.awaitTrue("node " + name + " lists three members again", () -> cluster.memberNodes(name).size() == 3,
            180);
      }
      // One AMI link: B gave its old session up on merging, C keeps the link, nobody logged in again.
      cluster.awaitTrue("one AMI session, C's", () -> cluster.asterisk().loggedInSessions() == 1
          && "standby".equals(cluster.component("b", "ami").getString("role")));
      assertNotEquals("standby", cluster.component("c", "ami").getString("role"), "C still holds the link");
      assertEquals(2, cluster.logins(), () -> "no login after the merge: " + cluster.asterisk().received());
      assertTrue(cluster.node("b").output().contains("AMI link given up after a partition"), cluster.node("b").output());

      // B knows bob's binding made on C while it was away: a MESSAGE through B reaches him, from C.
      cluster.awaitTrue("B reads bob's binding on C",
          () -> cluster.node("b").output().contains("read again after a partition"));
      Sipp.Result live = cluster.sendMessage("b", "bob", "live through B after the merge");
      assertEquals(200, SippTrace.lastStatus(live.messages()), () -> live + "\n--- b\n" + cluster.node("b").output());
      cluster.awaitTrue("bob received the live message", () -> received(bobPhone).size() >= 4);
      List<SippTrace.Message> got = received(bobPhone);
      assertTrue(got.get(3).header("Via").contains("127.0.0.1:" + cluster.sip("c")), got.get(3).header("Via"));
      List<String> bodies = got.stream().map(m -> m.body().strip()).toList();
      for (String body : List.of("stored-1 through B", "stored-2 through A", "stored-3 through C",
          "live through B after the merge")) {
        assertEquals(1, bodies.stream().filter(x -> x.contains(body)).count(), () -> "exactly once: " + body + " in " + bodies);
      }
      assertEquals(4, got.size(), () -> "nothing more: " + bodies);
      // B read A's request for carol from its socket when it resumed: too late, not sent (A had stored it).
      cluster.awaitTrue("B refused the stale request", () -> cluster.node("b").output().contains("arrived too late"));
      Sipp.Result toCarol = cluster.sendMessage("b", "carol", "live to carol after the merge");
      assertEquals(200, SippTrace.lastStatus(toCarol.messages()), toCarol::toString);
      cluster.awaitTrue("carol received the live message", () -> received(carolPhone).size() >= 2);
      List<String> carols = received(carolPhone).stream().map(m -> m.body().strip()).toList();
      assertEquals(2, carols.size(), () -> "once each: " + carols);
      assertTrue(carols.get(0).contains("to carol while B is paused"), carols::toString);
      assertTrue(carols.get(1).contains("live to carol after the merge"), carols::toString);
      // B learnt that carol's binding, once its own, is C's now: the MESSAGE left from C, which holds her flow.
      String carolVia = received(carolPhone).get(1).header("Via");
      assertTrue(carolVia.contains("127.0.0.1:" + cluster.sip("c")), carolVia);
      assertEquals(1, cluster.asterisk().loggedInSessions());
    } finally {
      bobPhone.stop();
      carolPhone.stop();
    }
  }

  private static List<SippTrace.Message> received(Sipp.Running phone) throws Exception {
    return SippTrace.received(phone.messagesSoFar(), "MESSAGE");
  }
}
