package io.switchboard.core.sip;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Failed digests per source address: {@code maxFailures} within {@code windowSeconds} of the first
 * one block the address for {@code blockSeconds}, during which its requests get 403 without any
 * digest check. Exempt addresses (a trusted proxy carrying many users) are never blocked. Memory is
 * bounded: beyond {@link #MAX_SOURCES} the least recently failing address is forgotten.
 */
public final class AuthFailures {

  static final int MAX_SOURCES = 10_000;

  private record Source(long windowStart, int failures, long blockedUntil) {
  }

  private final Clock clock;
  private final int maxFailures;
  private final long windowMillis;
  private final long blockMillis;
  private final SourceRanges exempt;
  private final Map<String, Source> sources = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Source> eldest) {
      return size() > MAX_SOURCES;
    }
  };

  /** Told of each failure this node counts (in a cluster: the other nodes count it too). */
  private volatile java.util.function.Consumer<String> counted = address -> { };

  public AuthFailures(Clock clock, int maxFailures, int windowSeconds, int blockSeconds, SourceRanges exempt) {
    this.clock = clock;
    this.maxFailures = maxFailures;
    this.windowMillis = windowSeconds * 1000L;
    this.blockMillis = blockSeconds * 1000L;
    this.exempt = exempt;
  }

  /** True while {@code address} is refused without a digest check. */
  public synchronized boolean blocked(String address) {
    Source s = sources.get(address);
    if (s == null) {
      return false;
    }
    if (s.blockedUntil() > clock.millis()) {
      return true;
    }
    if (s.blockedUntil() > 0) {
      // the block is over: a fresh start
      sources.remove(address);
    }
    return false;
  }

  /**
   * Counts a failed digest from {@code address}.
   *
   * @return true when this failure starts a block (report it once)
   */
  public synchronized boolean failed(String address) {
    return count(address);
  }

  /** {@code listener} hears each failure counted here (the cluster's shared count, see SipService). */
  public void onCounted(java.util.function.Consumer<String> listener) {
    this.counted = listener;
  }

  /** Another node of the cluster counted a failed digest from {@code address}: it counts here too. */
  public synchronized void failedElsewhere(String address) {
    count(address, false);
  }

  private boolean count(String address) {
    return count(address, true);
  }

  private boolean count(String address, boolean here) {
    if (exempt.contains(address)) {
      return false;
    }
    long now = clock.millis();
    Source s = sources.get(address);
    if (s != null && s.blockedUntil() > now) {
      return false;
    }
    if (here) {
      counted.accept(address);
    }
    Source next = s == null || s.blockedUntil() > 0 || now - s.windowStart() >= windowMillis
        ? new Source(now, 1, 0) : new Source(s.windowStart(), s.failures() + 1, 0);
    boolean blocks = next.failures() >= maxFailures;
    sources.put(address, blocks ? new Source(next.windowStart(), next.failures(), now + blockMillis) : next);
    return blocks;
  }
}
