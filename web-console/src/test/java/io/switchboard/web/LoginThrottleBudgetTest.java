package io.switchboard.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The throttle's arithmetic alone: attempts in flight spend the budget as failures do. */
class LoginThrottleBudgetTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static LoginThrottle throttle(Instant now) {
    return new LoginThrottle(Clock.fixed(now, ZoneOffset.UTC), 3, 300);
  }

  @Test
  void attemptsInFlightSpendTheBudgetAndTheAccountIsReportedOnce() {
    LoginThrottle t = throttle(T0);
    for (int i = 0; i < 3; i++) {
      assertTrue(t.admit("alice", "10.0.0.1").admitted());
    }
    LoginThrottle.Verdict refused = t.admit("alice", "10.0.0.2");
    assertFalse(refused.admitted());
    assertEquals(1, refused.retryAfterSeconds(), "spent by attempts still in flight: soon");
    assertTrue(refused.userNowThrottled());
    assertFalse(refused.addressNowThrottled(), "10.0.0.2 has its own budget");
    assertFalse(t.admit("alice", "10.0.0.2").userNowThrottled(), "reported once, not per attempt");
    // Another account from the first address: that address's budget is spent too.
    LoginThrottle.Verdict fromAddress = t.admit("bob", "10.0.0.1");
    assertFalse(fromAddress.admitted());
    assertTrue(fromAddress.addressNowThrottled());
  }

  @Test
  void failuresHoldTheBudgetForTheWindowAndASuccessClearsTheAccount() {
    LoginThrottle t = throttle(T0);
    for (int i = 0; i < 2; i++) {
      assertTrue(t.admit("alice", "10.0.0." + i).admitted());
      t.failed("alice", "10.0.0." + i);
    }
    assertTrue(t.admit("alice", "10.0.0.9").admitted());
    t.failed("alice", "10.0.0.9");
    assertEquals(300, t.admit("alice", "10.0.0.8").retryAfterSeconds(), "until the oldest failure leaves the window");

    LoginThrottle s = throttle(T0);
    assertTrue(s.admit("carol", "10.0.0.1").admitted());
    s.failed("carol", "10.0.0.1");
    assertTrue(s.admit("carol", "10.0.0.1").admitted());
    assertTrue(s.admit("carol", "10.0.0.2").admitted());
    s.succeeded("carol", "10.0.0.1");
    // carol's failure is forgotten, the attempt from 10.0.0.2 is still counted: 1 of 3.
    assertTrue(s.admit("carol", "10.0.0.3").admitted());
    assertTrue(s.admit("carol", "10.0.0.4").admitted());
    assertFalse(s.admit("carol", "10.0.0.5").admitted());
    s.sweep();
    assertFalse(s.admit("carol", "10.0.0.5").admitted(), "a sweep keeps records with attempts in flight");
  }
}
