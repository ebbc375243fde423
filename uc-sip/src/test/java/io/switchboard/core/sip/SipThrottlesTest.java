package io.switchboard.core.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.sip.NonceCounts.Use;
import io.switchboard.core.testing.SettableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-nonce counts and the per-source throttles, on a clock the test moves by hand. */
class SipThrottlesTest {

  private final SettableClock clock = new SettableClock(java.time.Instant.parse("2024-05-01T12:00:00Z"));

  @Test
  void aNonceCountIsAcceptedOnceAndOnlyAboveTheWindow() {
    NonceCounts counts = new NonceCounts(300, 1000);
    long now = clock.millis();
    assertEquals(Use.FRESH, counts.use("n1", now, 1, now));
    assertEquals(Use.REPLAYED, counts.use("n1", now, 1, now), "the same nc again");
    assertEquals(Use.FRESH, counts.use("n1", now, 3, now));
    assertEquals(Use.FRESH, counts.use("n1", now, 2, now), "a lower one never seen: sent together, arrived late");
    assertEquals(Use.REPLAYED, counts.use("n1", now, 2, now));
    assertEquals(Use.REPLAYED, counts.use("n1", now, 3, now));
    assertEquals(Use.FRESH, counts.use("n1", now, 100, now));
    assertEquals(Use.REPLAYED, counts.use("n1", now, 4, now), "below the window: refused even if unseen");
    assertEquals(Use.FRESH, counts.use("n2", now, 7, now), "counts are per nonce");
  }

  @Test
  void theRequestThatLastUsedACountMayComeAgainAsARetransmissionNotAnotherRequest() {
    NonceCounts counts = new NonceCounts(300, 1000);
    long now = clock.millis();
    assertEquals(Use.FRESH, counts.use("n1", now, 1, "call-a\n2 REGISTER\nz9hG4bKa", now));
    assertEquals(Use.RETRANSMITTED, counts.use("n1", now, 1, "call-a\n2 REGISTER\nz9hG4bKa", now + 500),
        "the same request again (Timer E): not a replay");
    assertEquals(Use.REPLAYED, counts.use("n1", now, 1, "call-a\n3 REGISTER\nz9hG4bKb", now + 600),
        "the same count in another request is one");
    assertEquals(Use.REPLAYED, counts.use("n1", now, 1, null, now + 700), "and so is one whose exchange is unknown");
    assertEquals(Use.REPLAYED, counts.use("n1", now, 1, "call-a\n2 REGISTER\nz9hG4bKa",
        now + NonceCounts.RETRANSMISSION_WINDOW_MILLIS + 1), "no retransmission comes after Timer F");
    assertEquals(Use.FRESH, counts.use("n1", now, 2, "call-a\n4 REGISTER\nz9hG4bKc", now + 800));
    assertEquals(Use.REPLAYED, counts.use("n1", now, 1, "call-a\n2 REGISTER\nz9hG4bKa", now + 900),
        "only the request that used the nonce last is recognised");
  }

  @Test
  void withoutQopANonceIsGoodForOneRequest() {
    NonceCounts counts = new NonceCounts(300, 1000);
    long now = clock.millis();
    assertEquals(Use.FRESH, counts.use("n1", now, NonceCounts.WITHOUT_QOP, now));
    assertEquals(Use.REPLAYED, counts.use("n1", now, NonceCounts.WITHOUT_QOP, now));
    assertEquals(Use.REPLAYED, counts.use("n1", now, 5, now), "nor with qop afterwards");
  }

  @Test
  void countsExpireWithTheNonceAndTheCapNeverLetsAReplayThrough() {
    NonceCounts counts = new NonceCounts(300, 3);
    long t0 = clock.millis();
    counts.use("old", t0, 1, t0);
    assertEquals(1, counts.size());
    long later = t0 + 301_000;
    counts.use("new", later, 1, later);
    assertEquals(1, counts.size(), "the expired nonce's counts are gone");
    for (int i = 0; i < 3; i++) {
      counts.use("n" + i, later + i, 1, later + i);
    }
    assertEquals(3, counts.size(), "bounded");
    assertEquals(Use.FORGOTTEN, counts.use("new", later, 1, later + 10), "forgotten: stale, never accepted twice");
    assertEquals(Use.FORGOTTEN, counts.use("never-used-but-as-old", later, 1, later + 10));
    assertEquals(Use.FRESH, counts.use("younger", later + 5, 1, later + 10));
  }

  /**
   * Challenges at 15,000 a second for 12 s, each nonce used once, with the server's own cap on the counts
   * it tracks: every one accepted. Issue times are kept in steps ({@link NonceService#ISSUE_STEP_MILLIS});
   * when the cap forgot a nonce of the current step, every later nonce of that step was refused as
   * forgotten, and with steps of 30 s that began at 3,400 challenges a second (B, C and D failed there).
   */
  @Test
  void nonceCountsKeepUpWithAStreamOfChallengesAboveTheBenchmarksRates() {
    NonceService nonces = new NonceService(clock, 300);
    NonceCounts counts = new NonceCounts(300, SipService.MAX_TRACKED_NONCES);
    int perSecond = 15_000;
    for (int i = 0; i < 12 * perSecond; i++) {
      if (i % 15 == 0) {
        clock.advance(Duration.ofMillis(1));
      }
      String exchange = "call-" + i + "\n1 REGISTER\nz9hG4bK" + i;
      String nonce = nonces.issue(exchange);
      long now = clock.millis();
      int n = i;
      assertEquals(Use.FRESH, counts.use(nonce, nonces.issuedAt(nonce), 1, exchange, now), () -> "challenge " + n);
    }
  }

  @Test
  void aSourceIsBlockedAfterMaxFailuresInTheWindowThenForgiven() {
    AuthFailures failures = new AuthFailures(clock, 3, 60, 300, new SourceRanges(List.of("10.0.0.0/8")));
    assertFalse(failures.failed("192.0.2.1"));
    assertFalse(failures.failed("192.0.2.1"));
    assertFalse(failures.blocked("192.0.2.1"));
    assertTrue(failures.failed("192.0.2.1"), "the third starts the block, reported once");
    assertTrue(failures.blocked("192.0.2.1"));
    assertFalse(failures.failed("192.0.2.1"), "no second report while blocked");
    assertFalse(failures.blocked("192.0.2.2"), "per source");
    clock.advance(Duration.ofSeconds(301));
    assertFalse(failures.blocked("192.0.2.1"));
    assertFalse(failures.failed("192.0.2.1"), "counting starts again");

    for (int i = 0; i < 10; i++) {
      assertFalse(failures.failed("10.1.2.3"));
    }
    assertFalse(failures.blocked("10.1.2.3"), "exempt");

    assertFalse(failures.failed("192.0.2.9"));
    assertFalse(failures.failed("192.0.2.9"));
    clock.advance(Duration.ofSeconds(61));
    assertFalse(failures.failed("192.0.2.9"), "the window passed: a fresh count");
    assertFalse(failures.blocked("192.0.2.9"));
  }

  @Test
  void aFloodIsRejectedThenDroppedAndReportedOncePerEpisode() {
    List<String> episodes = new ArrayList<>();
    FloodGuard guard = new FloodGuard(clock, 10, new SourceRanges(List.of("127.0.0.2", "::1")), episodes::add);
    for (int i = 0; i < 20; i++) {
      assertEquals(FloodGuard.Verdict.ADMIT, guard.check("192.0.2.1"), "two seconds' worth at once");
    }
    List<FloodGuard.Verdict> over = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      over.add(guard.check("192.0.2.1"));
    }
    assertEquals(10, over.stream().filter(v -> v == FloodGuard.Verdict.REJECT).count(), "503s are budgeted");
    assertEquals(20, over.stream().filter(v -> v == FloodGuard.Verdict.DROP).count());
    assertEquals(List.of("192.0.2.1"), episodes, "one report");
    assertEquals(FloodGuard.Verdict.ADMIT, guard.check("192.0.2.2"), "other sources are not slowed");
    for (int i = 0; i < 100; i++) {
      assertEquals(FloodGuard.Verdict.ADMIT, guard.check("127.0.0.2"), "exempt");
    }

    clock.advance(Duration.ofMillis(500));
    assertEquals(FloodGuard.Verdict.ADMIT, guard.check("192.0.2.1"), "the bucket refills at the rate");
    clock.advance(Duration.ofSeconds(3));
    assertEquals(FloodGuard.Verdict.ADMIT, guard.check("192.0.2.1"));
    for (int i = 0; i < 25; i++) {
      guard.check("192.0.2.1");
    }
    assertEquals(List.of("192.0.2.1", "192.0.2.1"), episodes, "a new flood after a full bucket: a new episode");
  }

  @Test
  void rateZeroAdmitsEverything() {
    FloodGuard guard = new FloodGuard(clock, 0, new SourceRanges(List.of()), s -> { });
    for (int i = 0; i < 10_000; i++) {
      assertEquals(FloodGuard.Verdict.ADMIT, guard.check("192.0.2.1"));
    }
  }
}
