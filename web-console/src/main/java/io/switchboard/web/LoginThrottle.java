package io.switchboard.web;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Slows down password guessing before any hashing is spent on it. Per username and per client
 * address it counts the failed logins within the window plus the attempts still being checked; an
 * attempt is admitted only while that sum is below {@code maxFailures}, so however many arrive at
 * once, at most {@code maxFailures} of them reach the (slow) password check, and the rest are refused
 * (429) until the oldest failure leaves the window. A success clears the username's failures.
 */
final class LoginThrottle {

  /**
   * The throttle's answer to one attempt.
   *
   * @param retryAfterSeconds 0 when admitted (end it with {@link #failed}, {@link #succeeded} or {@link #abandoned})
   * @param userNowThrottled the username has just become throttled (report it once)
   * @param addressNowThrottled the address has just become throttled (report it once)
   */
  record Verdict(long retryAfterSeconds, boolean userNowThrottled, boolean addressNowThrottled) {
    boolean admitted() {
      return retryAfterSeconds == 0;
    }
  }

  /** One username's or address's record: failure times in the window, attempts in flight, whether reported. */
  private static final class Budget {
    final Deque<Long> failures = new ArrayDeque<>();
    int inFlight;
    boolean reported;
  }

  private final Clock clock;
  private final int maxFailures;
  private final long windowMillis;
  private final Map<String, Budget> budgets = new HashMap<>();

  LoginThrottle(Clock clock, int maxFailures, int windowSeconds) {
    this.clock = clock;
    this.maxFailures = maxFailures;
    this.windowMillis = windowSeconds * 1000L;
  }

  /** Admits the attempt (counting it in flight for both keys) or says how long to wait. */
  synchronized Verdict admit(String username, String address) {
    Budget user = budget(userKey(username));
    Budget addr = budget(addressKey(address));
    long wait = Math.max(wait(user), wait(addr));
    if (wait > 0) {
      boolean userNow = wait(user) > 0 && !user.reported;
      boolean addrNow = wait(addr) > 0 && !addr.reported;
      user.reported |= userNow;
      addr.reported |= addrNow;
      return new Verdict(wait, userNow, addrNow);
    }
    user.inFlight++;
    addr.inFlight++;
    return new Verdict(0, false, false);
  }

  /** An admitted attempt had a wrong username or password. */
  synchronized void failed(String username, String address) {
    long now = clock.millis();
    end(userKey(username)).failures.addLast(now);
    end(addressKey(address)).failures.addLast(now);
  }

  /** Another node of the cluster counted a failed login: it counts here too (nothing was in flight here). */
  synchronized void failedElsewhere(String username, String address) {
    long now = clock.millis();
    if (username != null) {
      budget(userKey(username)).failures.addLast(now);
    }
    if (address != null) {
      budget(addressKey(address)).failures.addLast(now);
    }
  }

  /** An admitted attempt succeeded: the username's failures are forgotten. */
  synchronized void succeeded(String username, String address) {
    end(userKey(username)).failures.clear(); // attempts still in flight stay counted
    end(addressKey(address));
  }

  /** An admitted attempt could not be checked (store down, overloaded): neither a failure nor a success. */
  synchronized void abandoned(String username, String address) {
    end(userKey(username));
    end(addressKey(address));
  }

  /** Forgets records with nothing in flight and every failure out of the window, so guessing many names cannot fill memory. */
  synchronized void sweep() {
    budgets.values().removeIf(b -> {
      prune(b);
      return b.inFlight == 0 && b.failures.isEmpty();
    });
  }

  private static String userKey(String username) {
    return "user:" + username;
  }

  private static String addressKey(String address) {
    return "addr:" + address;
  }

  private Budget budget(String key) {
    Budget b = budgets.computeIfAbsent(key, k -> new Budget());
    prune(b);
    return b;
  }

  private Budget end(String key) {
    Budget b = budget(key);
    b.inFlight = Math.max(0, b.inFlight - 1);
    return b;
  }

  /** Seconds until this key may try again; 0 when its budget is not spent. */
  private long wait(Budget b) {
    if (b.failures.size() + b.inFlight < maxFailures) {
      b.reported = false;
      return 0;
    }
    if (b.failures.size() < maxFailures) {
      return 1; // spent by attempts still being checked: their outcome decides, soon
    }
    long until = b.failures.peekFirst() + windowMillis;
    return Math.max(1, (until - clock.millis() + 999) / 1000);
  }

  private void prune(Budget b) {
    long horizon = clock.millis() - windowMillis;
    while (!b.failures.isEmpty() && b.failures.peekFirst() < horizon) {
      b.failures.removeFirst();
    }
  }
}
