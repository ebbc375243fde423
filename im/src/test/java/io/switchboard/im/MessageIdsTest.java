package io.switchboard.im;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.core.testing.SettableClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Message ids sort as they were made (the store appends instead of scattering), and stay unique. */
class MessageIdsTest {

  @Test
  void idsSortInTheOrderTheyWereMadeEvenWithinOneMillisecondAndWhenTheClockStepsBack() {
    Instant at = Instant.parse("2026-11-30T06:00:00.123Z");
    SettableClock clock = new SettableClock(at);
    MessageIds ids = new MessageIds(clock);
    List<String> made = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) { // more than the 4,096 a millisecond's counter holds
      made.add(ids.next());
    }
    clock.set(at.minusSeconds(5)); // NTP stepped the clock back
    made.add(ids.next());
    clock.set(at.plusSeconds(60));
    made.add(ids.next());

    List<String> sorted = new ArrayList<>(made);
    sorted.sort(null);
    assertEquals(made, sorted, "string order is creation order");
    assertEquals(made.size(), new HashSet<>(made).size());
    for (String id : made) {
      UUID uuid = UUID.fromString(id);
      assertEquals(7, uuid.version(), id);
      assertEquals(2, uuid.variant(), id);
      assertEquals(id, id.toLowerCase());
    }
    assertEquals(String.format("%012x", at.toEpochMilli()), made.get(0).replace("-", "").substring(0, 12),
        "the first 48 bits are the milliseconds");
  }
}
