package io.switchboard.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which SIP context sends a subscription's NOTIFYs (the sending itself is tested on the wire). */
class NotifierTest {

  @Test
  void aDialogAlwaysLeavesFromTheSameContextAndNeverFromTheHomeOne() {
    Map<Integer, Integer> perContext = new HashMap<>();
    for (int i = 0; i < 3_000; i++) {
      String dialog = Subscription.key("call-" + i + "@10.0.0." + (i % 250), "tag" + i);
      int sender = Notifier.senderIndex(dialog, 4);
      assertEquals(sender, Notifier.senderIndex(dialog, 4), "the same dialog, the same context: its NOTIFYs stay in order");
      assertTrue(sender >= 1 && sender <= 3, "not the home context, which decides them: " + sender);
      perContext.merge(sender, 1, Integer::sum);
    }
    assertEquals(3, perContext.size(), "spread over every other context: " + perContext);
    perContext.values().forEach(n -> assertTrue(n > 700, "evenly enough: " + perContext));
  }

  @Test
  void withOneContextItIsTheHomeOne() {
    assertEquals(0, Notifier.senderIndex("a;b", 1));
  }
}
