package io.switchboard.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The status page's samples: percentiles of the interval's SIP answers, rates, gauges; pure, no Vert.x. */
class MetricsHistoryTest {

  private static final long MS = 1_000_000;

  @Test
  void percentilesComeFromTheIntervalsAnswersOnly() {
    Metrics metrics = new Metrics();
    metrics.sipAnswered("OPTIONS", 200, 900 * MS); // before the history starts: not in any sample
    MetricsHistory history = new MetricsHistory(metrics);
    assertNull(history.sample().getValue("sipP50Ms"), "no answers in the interval: no percentile");
    for (int i = 0; i < 98; i++) {
      metrics.sipAnswered("OPTIONS", 200, 3 * MS);
    }
    metrics.sipAnswered("REGISTER", 401, 800 * MS);
    metrics.sipAnswered("REGISTER", 200, 800 * MS);
    JsonObject s = history.sample();
    assertEquals(100L, s.getLong("sipAnswers"));
    // 98 answers in (2, 5] ms, 2 in (500, 1000]: interpolated within the bucket, as histogram_quantile does.
    assertEquals(2 + 3 * 50 / 98.0, s.getDouble("sipP50Ms"), 0.01);
    assertEquals(750.0, s.getDouble("sipP99Ms"), 0.01);
    assertNull(history.sample().getValue("sipP99Ms"), "the next interval had no answers");
    assertEquals(3, history.history().size());
  }

  @Test
  void ratesAndGaugesAndTheKeptWindow() {
    Metrics metrics = new Metrics();
    AtomicInteger registered = new AtomicInteger(3);
    metrics.registrations(registered::get);
    MetricsHistory history = new MetricsHistory(metrics);
    metrics.message(Metrics.MessageOutcome.ACCEPTED);
    metrics.message(Metrics.MessageOutcome.STORED);
    metrics.notifySent();
    JsonObject s = history.sample();
    assertEquals(3L, s.getLong("registrations"));
    assertTrue(s.getDouble("messagesPerMinute") > 0, s.encode());
    assertTrue(s.getDouble("notifiesPerSecond") > 0, s.encode());
    assertNull(s.getValue("ami"), "AMI not watched");
    metrics.amiConnected(() -> true);
    assertEquals(Boolean.TRUE, history.sample().getBoolean("ami"));
    for (int i = 0; i < MetricsHistory.CAPACITY + 10; i++) {
      history.sample();
    }
    assertEquals(MetricsHistory.CAPACITY, history.history().size());
  }

  @Test
  void unknownMethodsAreCountedAsOtherNotByTheirName() {
    Metrics metrics = new Metrics();
    metrics.sipAnswered("XYZZY", 501, MS);
    String text = metrics.scrape();
    assertTrue(text.contains("switchboard_sip_requests_total{method=\"other\",status=\"5xx\"} 1.0"), text);
    assertTrue(!text.contains("XYZZY"), text);
  }
}
