package io.switchboard.core.sip;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The nonce counts seen per nonce (RFC 7616 §3.4, RFC 3261 §22.4), so that a captured request
 * replayed with its nonce and {@code nc} is refused. A count is accepted once: above the highest
 * seen, or below it within {@link #WINDOW} and not seen yet (requests sent together may arrive out
 * of order); a nonce used without qop is spent at once.
 *
 * <p>Small and bounded: per nonce two longs and its issue time, dropped when the nonce expires, at
 * most {@code maxNonces} entries. When the cap forgets a nonce's counts, every nonce issued up to
 * then and not tracked is answered stale (the phone takes a fresh one), never accepted again. In
 * memory, on one node; a cluster will keep the same state in a shared map.
 */
public final class NonceCounts {

  /** What a use of a nonce turned out to be. */
  public enum Use { FRESH, REPLAYED, FORGOTTEN }

  /** Counts accepted below the highest seen: requests in flight together. */
  static final int WINDOW = 64;
  /** The nc we record for a use without qop: spends the nonce. */
  public static final long WITHOUT_QOP = -1;

  private static final class Counts {
    final long issuedAt;
    long highest;
    /** bit i: highest - i was seen. */
    long seen;

    Counts(long issuedAt) {
      this.issuedAt = issuedAt;
    }
  }

  private final long lifetimeMillis;
  private final int maxNonces;
  /** Nonces issued at or before this may have lost their counts to the cap. */
  private long forgottenUpTo = Long.MIN_VALUE;
  private final LinkedHashMap<String, Counts> byNonce = new LinkedHashMap<>();

  public NonceCounts(int lifetimeSeconds, int maxNonces) {
    this.lifetimeMillis = lifetimeSeconds * 1000L;
    this.maxNonces = maxNonces;
  }

  /**
   * Records a use of a valid nonce.
   *
   * @param issuedAt when the nonce was issued (millis), from the nonce itself
   * @param nc the nonce count, 1 or more, or {@link #WITHOUT_QOP}
   * @param now the current time (millis)
   */
  public synchronized Use use(String nonce, long issuedAt, long nc, long now) {
    expire(now);
    Counts c = byNonce.get(nonce);
    if (c == null) {
      if (issuedAt <= forgottenUpTo) {
        return Use.FORGOTTEN;
      }
      c = new Counts(issuedAt);
      c.highest = nc == WITHOUT_QOP ? Long.MAX_VALUE : nc;
      c.seen = 1;
      byNonce.put(nonce, c);
      if (byNonce.size() > maxNonces) {
        Counts eldest = byNonce.remove(byNonce.keySet().iterator().next());
        forgottenUpTo = Math.max(forgottenUpTo, eldest.issuedAt);
      }
      return Use.FRESH;
    }
    if (nc == WITHOUT_QOP) {
      return Use.REPLAYED;
    }
    if (nc > c.highest) {
      long shift = nc - c.highest;
      c.seen = shift >= Long.SIZE ? 1 : (c.seen << shift) | 1;
      c.highest = nc;
      return Use.FRESH;
    }
    long below = c.highest - nc;
    if (below >= WINDOW || (c.seen & (1L << below)) != 0) {
      return Use.REPLAYED;
    }
    c.seen |= 1L << below;
    return Use.FRESH;
  }

  /** Drops the counts of expired nonces, oldest first use first. */
  private void expire(long now) {
    Iterator<Counts> it = byNonce.values().iterator();
    while (it.hasNext()) {
      Counts c = it.next();
      if (now - c.issuedAt <= lifetimeMillis) {
        return;
      }
      it.remove();
    }
  }

  synchronized int size() {
    return byNonce.size();
  }
}
