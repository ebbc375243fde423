package io.switchboard.core.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The walk never hands a port out twice, single ports and SIPp's media blocks mixed, across its wrap. */
class FreePortsTest {

  @Test
  void portsAndMediaBlocksNeverMeetAcrossTheWrap() throws Exception {
    // Two SIPp started together must not share a port: one's main port was once the other's media port,
    // after the walk wrapped, and the later of the two to bind exited with "Address already in use".
    // Whether they meet depends on the parity where the walk stands and on the order of the asks: try both
    // parities, each with a SIPp's two asks (main port, media block) in a row and a test's extra port between.
    for (int start = 20; start < 22; start++) {
      for (int portsPerSipp = 1; portsPerSipp <= 2; portsPerSipp++) {
        FreePorts.NEXT.set(FreePorts.highest() - start);
        Set<Integer> handedOut = new HashSet<>();
        for (int sipp = 0; sipp < 12; sipp++) {
          for (int p = 0; p < portsPerSipp; p++) {
            int port = FreePorts.udpAndTcp();
            assertTrue(handedOut.add(port), () -> "handed out twice: " + port + " in " + handedOut);
          }
          int media = FreePorts.mediaBase();
          for (int m = media; m < media + 4; m++) {
            int used = m;
            assertTrue(used <= FreePorts.highest(), () -> "above the range: " + used);
            assertTrue(handedOut.add(used), () -> "handed out twice: " + used + " in " + handedOut);
          }
        }
      }
    }
  }
}
