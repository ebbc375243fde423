package io.switchboard.telephony;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.asteriskjava.manager.ManagerConnectionState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Pins what {@link SingleSessionConnection} relies on in Asterisk-Java 3.41: a dropped session is
 * reported once, and the library starts no reconnect thread of its own. No Vert.x: this is the
 * library seen from its own threads.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SingleSessionConnectionTest {

  @Test
  void aDroppedSessionIsReportedAndNotReconnectedByTheLibrary() throws Exception {
    try (FakeAsterisk asterisk = new FakeAsterisk("uc", "ucsecret")) {
      CompletableFuture<SingleSessionConnection> lost = new CompletableFuture<>();
      SingleSessionConnection c = new SingleSessionConnection("127.0.0.1", asterisk.port(), "uc", "ucsecret",
          lost::complete);
      c.login("on");
      assertEquals(ManagerConnectionState.CONNECTED, c.getState());

      asterisk.dropConnections();

      assertSame(c, lost.get(10, TimeUnit.SECONDS));
      assertEquals(ManagerConnectionState.DISCONNECTED, c.getState());
      // The stock connection would have started "Asterisk-Java ManagerConnection-N-Reconnect-M" before reporting.
      assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().contains("-Reconnect-")));
      c.close();
      assertEquals(1, asterisk.count("Login"));
    }
  }
}
