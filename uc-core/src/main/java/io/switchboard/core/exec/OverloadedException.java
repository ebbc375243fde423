package io.switchboard.core.exec;

/**
 * A {@link TaskPool}'s queue is full: the work was refused, not queued. The SIP edge answers 503 with
 * {@code Retry-After}, the web console 503 JSON; the caller may try again after {@link #retryAfterSeconds()}.
 */
public final class OverloadedException extends RuntimeException {

  private final String pool;
  private final int retryAfterSeconds;

  public OverloadedException(String pool, int queueLimit, int retryAfterSeconds) {
    super("overloaded: the " + pool + " pool has " + queueLimit + " tasks waiting; try again in "
        + retryAfterSeconds + " s", null, false, false);
    this.pool = pool;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public String pool() {
    return pool;
  }

  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
