package io.switchboard.core.sip;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Per-source request limit, as Kamailio's {@code pike} does: a token bucket per source address,
 * refilled at {@code rate} requests per second and holding two seconds' worth. A request that finds
 * the bucket empty is answered 503 with Retry-After while its source's reply budget lasts (ten per
 * second), and dropped unanswered beyond it, so a flood costs us little more than reading it.
 *
 * <p>Checked on the SIP stack's threads before a transaction is made, so a flood neither fills the
 * transaction table nor queues on the SIP context: hence the lock. Memory is bounded: the least
 * recently seen sources are forgotten beyond {@link #MAX_SOURCES} (a forgotten source starts again
 * with a full bucket). One flood is one episode: {@code onEpisode} hears of it once, when it starts;
 * it ends when the source's bucket is full again.
 */
public final class FloodGuard {

  /** What to do with a request. */
  public enum Verdict { ADMIT, REJECT, DROP }

  static final int MAX_SOURCES = 50_000;
  private static final double BURST_SECONDS = 2;
  private static final double REPLIES_PER_SECOND = 10;

  private static final class Bucket {
    double tokens;
    double replies;
    long lastMillis;
    boolean flooding;
  }

  private final Clock clock;
  private final double rate;
  private final double capacity;
  private final SourceRanges exempt;
  private final Consumer<String> onEpisode;
  private final Map<String, Bucket> buckets = new LinkedHashMap<>(1024, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
      return size() > MAX_SOURCES;
    }
  };

  /**
   * @param rate requests per second per source; 0 admits everything
   * @param onEpisode called with the source address when a flood from it starts (on the caller's thread)
   */
  public FloodGuard(Clock clock, int rate, SourceRanges exempt, Consumer<String> onEpisode) {
    this.clock = clock;
    this.rate = rate;
    this.capacity = rate * BURST_SECONDS;
    this.exempt = exempt;
    this.onEpisode = onEpisode;
  }

  /** Seconds a rejected source should wait: until its bucket is full again. */
  public int retryAfterSeconds() {
    return (int) Math.ceil(BURST_SECONDS);
  }

  public Verdict check(String source) {
    if (rate <= 0 || exempt.contains(source)) {
      return Verdict.ADMIT;
    }
    boolean started;
    Verdict verdict;
    synchronized (buckets) {
      long now = clock.millis();
      Bucket b = buckets.get(source);
      if (b == null) {
        b = new Bucket();
        b.tokens = capacity;
        b.replies = REPLIES_PER_SECOND;
        b.lastMillis = now;
        buckets.put(source, b);
      }
      double elapsed = Math.max(0, now - b.lastMillis) / 1000.0;
      b.lastMillis = now;
      b.tokens = Math.min(capacity, b.tokens + elapsed * rate);
      b.replies = Math.min(REPLIES_PER_SECOND, b.replies + elapsed * REPLIES_PER_SECOND);
      if (b.flooding && b.tokens >= capacity) {
        b.flooding = false;
      }
      started = false;
      if (b.tokens >= 1) {
        b.tokens -= 1;
        verdict = Verdict.ADMIT;
      } else {
        started = !b.flooding;
        b.flooding = true;
        if (b.replies >= 1) {
          b.replies -= 1;
          verdict = Verdict.REJECT;
        } else {
          verdict = Verdict.DROP;
        }
      }
    }
    if (started) {
      onEpisode.accept(source);
    }
    return verdict;
  }
}
