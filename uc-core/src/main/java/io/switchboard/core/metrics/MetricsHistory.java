package io.switchboard.core.metrics;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The status page's series: a sample of the main meters every few seconds (registrations, messages
 * per minute, NOTIFYs per second, SIP answer time p50 and p99 over the interval, AMI state), the last
 * {@link #CAPACITY} kept so that a page opened now draws the recent past at once. Rates and
 * percentiles come from the differences between two readings of the cumulative meters, as
 * Prometheus' {@code rate()} and {@code histogram_quantile()} would compute them. Not thread-safe:
 * one caller samples (the web console's context).
 */
public final class MetricsHistory {

  /** Samples kept: at one every {@link #INTERVAL_MILLIS}, five minutes. */
  public static final int CAPACITY = 150;
  public static final long INTERVAL_MILLIS = 2000;

  private final Metrics metrics;
  private final double[] bounds = Metrics.sipBucketMillis();
  private final Deque<JsonObject> samples = new ArrayDeque<>();
  private Metrics.Readings previous;

  public MetricsHistory(Metrics metrics) {
    this.metrics = metrics;
    this.previous = metrics.read();
  }

  /** Reads the meters now, keeps the sample and returns it. */
  public JsonObject sample() {
    Metrics.Readings now = metrics.read();
    double seconds = Math.max(0.001, (now.at() - previous.at()) / 1000.0);
    long[] answers = new long[now.sipAnswers().length];
    for (int i = 0; i < answers.length; i++) {
      answers[i] = now.sipAnswers()[i] - previous.sipAnswers()[i];
    }
    JsonObject sample = new JsonObject().put("t", now.at())
        .put("registrations", Double.isNaN(now.registrations()) ? null : (long) now.registrations())
        .put("messagesPerMinute", round((now.messagesAccepted() - previous.messagesAccepted()) * 60 / seconds))
        .put("notifiesPerSecond", round((now.notifies() - previous.notifies()) / seconds))
        .put("sipP50Ms", quantile(answers, 0.5))
        .put("sipP99Ms", quantile(answers, 0.99))
        .put("sipAnswers", answers[answers.length - 1])
        .put("ami", now.amiConnected() < 0 ? null : now.amiConnected() > 0);
    previous = now;
    samples.addLast(sample);
    while (samples.size() > CAPACITY) {
      samples.removeFirst();
    }
    return sample;
  }

  /** The samples kept, oldest first. */
  public JsonArray history() {
    return new JsonArray(java.util.List.copyOf(samples));
  }

  /**
   * The q-quantile of the answers in the interval, in ms, interpolated within its bucket as
   * Prometheus' histogram_quantile does; null without answers. Beyond the highest bound: that bound.
   *
   * @param cumulative answers at or under each bound, then all answers
   */
  Double quantile(long[] cumulative, double q) {
    long total = cumulative[cumulative.length - 1];
    if (total <= 0) {
      return null;
    }
    double rank = q * total;
    for (int i = 0; i < bounds.length; i++) {
      if (cumulative[i] >= rank) {
        double lower = i == 0 ? 0 : bounds[i - 1];
        long below = i == 0 ? 0 : cumulative[i - 1];
        long inBucket = cumulative[i] - below;
        double at = inBucket == 0 ? bounds[i] : lower + (bounds[i] - lower) * (rank - below) / inBucket;
        return round(at);
      }
    }
    return bounds[bounds.length - 1];
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
