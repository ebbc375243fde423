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

  /**
   * What a use of a nonce turned out to be. RETRANSMITTED: the count last accepted on this nonce again,
   * in the same request (the same exchange: Call-ID, CSeq, Via branch), which its sender retransmitted
   * because our answer was late or lost; not a replay. Over UDP without a transaction (REGISTER), a
   * retransmission that comes after a later request of the same user reaches the check again, and was
   * refused as a replay: a DIGEST_FAILED event, a WARN line and a new challenge for every retransmission
   * under load, and a phone on a lossy network counted as an attacker.
   */
  public enum Use { FRESH, REPLAYED, FORGOTTEN, RETRANSMITTED }

  /** Counts accepted below the highest seen: requests in flight together. */
  static final int WINDOW = 64;
  /** How long a request may come again as a retransmission: a UDP client transaction's lifetime (64 x T1). */
  static final long RETRANSMISSION_WINDOW_MILLIS = 32_000;
  /** The nc we record for a use without qop: spends the nonce. */
  public static final long WITHOUT_QOP = -1;

  private static final class Counts {
    final long issuedAt;
    long highest;
    /** bit i: highest - i was seen. */
    long seen;
    /** The count last accepted, and the request it came in: its retransmission is not a replay. */
    long lastNc;
    String lastExchange;
    long lastAt;

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
  public Use use(String nonce, long issuedAt, long nc, long now) {
    return use(nonce, issuedAt, nc, null, now);
  }

  /**
   * As {@link #use(String, long, long, long)}, telling a retransmission of the request that last used
   * this nonce from a replay.
   *
   * @param exchange what identifies the request (Call-ID, CSeq, top Via branch); null: unknown
   */
  public synchronized Use use(String nonce, long issuedAt, long nc, String exchange, long now) {
    expire(now);
    Counts c = byNonce.get(nonce);
    if (c != null && exchange != null && nc == c.lastNc && exchange.equals(c.lastExchange)
        && now - c.lastAt <= RETRANSMISSION_WINDOW_MILLIS) {
      return Use.RETRANSMITTED;
    }
    Use use = accept(c, nonce, issuedAt, nc);
    if (use == Use.FRESH) {
      Counts accepted = c != null ? c : byNonce.get(nonce);
      if (accepted != null) {
        accepted.lastNc = nc;
        accepted.lastExchange = exchange;
        accepted.lastAt = now;
      }
    }
    return use;
  }

  private Use accept(Counts c, String nonce, long issuedAt, long nc) {
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
