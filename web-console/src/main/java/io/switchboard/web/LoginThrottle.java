package io.switchboard.web;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down password guessing: after {@code maxFailures} failed logins within the window, for one
 * username or from one client address, further attempts are refused (429) until the oldest failure
 * leaves the window. A success clears the username's record.
 */
final class LoginThrottle {

  private final Clock clock;
  private final int maxFailures;
  private final long windowMillis;
  private final Map<String, Deque<Long>> failures = new ConcurrentHashMap<>();

  LoginThrottle(Clock clock, int maxFailures, int windowSeconds) {
    this.clock = clock;
    this.maxFailures = maxFailures;
    this.windowMillis = windowSeconds * 1000L;
  }

  /** Seconds until another attempt is allowed, or 0 when it is allowed now. */
  long retryAfterSeconds(String username, String address) {
    return Math.max(wait("user:" + username), wait("addr:" + address));
  }

  void failed(String username, String address) {
    record("user:" + username);
    record("addr:" + address);
  }

  void succeeded(String username) {
    failures.remove("user:" + username);
  }

  /** Forgets records whose failures have all left the window, so guessing many names cannot fill memory. */
  void sweep() {
    failures.entrySet().removeIf(e -> {
      synchronized (e.getValue()) {
        prune(e.getValue());
        return e.getValue().isEmpty();
      }
    });
  }

  private long wait(String key) {
    Deque<Long> times = failures.get(key);
    if (times == null) {
      return 0;
    }
    synchronized (times) {
      prune(times);
      if (times.size() < maxFailures) {
        return 0;
      }
      long until = times.peekFirst() + windowMillis;
      return Math.max(1, (until - clock.millis() + 999) / 1000);
    }
  }

  private void record(String key) {
    Deque<Long> times = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
    synchronized (times) {
      prune(times);
      times.addLast(clock.millis());
    }
  }

  private void prune(Deque<Long> times) {
    long horizon = clock.millis() - windowMillis;
    while (!times.isEmpty() && times.peekFirst() < horizon) {
      times.removeFirst();
    }
  }
}
