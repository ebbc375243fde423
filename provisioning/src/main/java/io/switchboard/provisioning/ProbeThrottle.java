package io.switchboard.provisioning;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down clients that probe for phone files: a client address with {@code maxFailures} failed
 * fetches (unknown MAC, missing or wrong credentials) within {@code windowSeconds} of its first
 * failure is refused until that window has passed. Successful fetches do not count.
 */
final class ProbeThrottle {

  private record Window(long startMillis, int failures) {
  }

  private final Clock clock;
  private final int maxFailures;
  private final long windowMillis;
  private final Map<String, Window> windows = new ConcurrentHashMap<>();

  ProbeThrottle(Clock clock, int maxFailures, int windowSeconds) {
    this.clock = clock;
    this.maxFailures = maxFailures;
    this.windowMillis = windowSeconds * 1000L;
  }

  void failed(String address) {
    long now = clock.millis();
    windows.compute(address, (a, w) -> w == null || now - w.startMillis() >= windowMillis
        ? new Window(now, 1) : new Window(w.startMillis(), w.failures() + 1));
  }

  /** Seconds until {@code address} may ask again; 0 when it may now. */
  long retryAfterSeconds(String address) {
    Window w = windows.get(address);
    if (w == null || w.failures() < maxFailures) {
      return 0;
    }
    long left = w.startMillis() + windowMillis - clock.millis();
    return left <= 0 ? 0 : (left + 999) / 1000;
  }

  /** Forgets windows that have passed. */
  void sweep() {
    long now = clock.millis();
    windows.values().removeIf(w -> now - w.startMillis() >= windowMillis);
  }
}
