package io.switchboard.im;

import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Message ids that grow with time: UUID version 7 (RFC 9562 §5.7), 48 bits of Unix milliseconds, a
 * 12-bit counter within the millisecond (§6.2, method 1) and 62 random bits, in the canonical
 * lowercase form, so that a later id also sorts later as a string.
 *
 * <p>Why: the store keeps documents and the {@code _id} index in B-trees ordered by {@code _id}. With
 * random ids (UUID version 4) every insert lands on a different leaf page, and each commit rewrites
 * (and compresses) one whole leaf per message of its batch; with ids in time order the inserts of a
 * batch append to the same last leaf, one page rewritten per batch. They also spare the shared
 * {@code SecureRandom} a call per message: the ids are names, not secrets (nothing is granted by
 * knowing one; nothing reads a message by its id alone).
 */
final class MessageIds {

  /** Milliseconds (shifted left 12) plus the counter of the last id: strictly increasing in this process. */
  private final AtomicLong last = new AtomicLong();
  private final Clock clock;

  MessageIds(Clock clock) {
    this.clock = clock;
  }

  /** A new id, later (and greater) than every id this instance gave before. */
  String next() {
    long now = clock.millis() << 12;
    // A counter that runs past 4,095 in one millisecond borrows the next millisecond: still unique and ordered.
    long stamp = last.updateAndGet(previous -> Math.max(previous + 1, now));
    long millis = stamp >>> 12;
    long counter = stamp & 0xFFF;
    long high = (millis << 16) | 0x7000L | counter;
    long low = (ThreadLocalRandom.current().nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low).toString();
  }
}
