package io.switchboard.core.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.switchboard.core.sip.NonceService.Verdict;
import io.switchboard.core.testing.SettableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Stateless nonces: freshness by the issuing clock, integrity by the per-instance HMAC key. */
class NonceServiceTest {

  private static final int LIFETIME = 300;


  private final SettableClock clock = new SettableClock(Instant.parse("2024-05-01T12:00:00Z"));
  private final NonceService nonces = new NonceService(clock, LIFETIME);

  @Test
  void freshNonceIsValid() {
    assertEquals(Verdict.VALID, nonces.check(nonces.issue()));
  }

  @Test
  void nonceIsValidUpToItsLifetimeThenStale() {
    String nonce = nonces.issue();
    clock.advance(Duration.ofSeconds(LIFETIME));
    assertEquals(Verdict.VALID, nonces.check(nonce), "the lifetime itself is still accepted");
    clock.advance(Duration.ofSeconds(1));
    assertEquals(Verdict.STALE, nonces.check(nonce));
  }

  @Test
  void nonceFromTheFutureIsNotValid() {
    // e.g. the clock stepped back: do not extend the nonce's life
    String nonce = nonces.issue();
    clock.advance(Duration.ofSeconds(-10));
    assertEquals(Verdict.STALE, nonces.check(nonce));
  }

  @Test
  void noncesAreUnique() {
    // Same instant, different random part.
    assertNotEquals(nonces.issue(), nonces.issue());
  }

  @Test
  void tamperedNonceIsUnknown() {
    String nonce = nonces.issue();
    // First char: timestamp; middle: random part; second to last: HMAC. (Not the last char: its
    // low bits are base64 padding and may decode to the same bytes.)
    for (int i : new int[] {0, nonce.length() / 2, nonce.length() - 2}) {
      char[] c = nonce.toCharArray();
      c[i] = c[i] == 'A' ? 'B' : 'A';
      assertEquals(Verdict.UNKNOWN, nonces.check(new String(c)), "flipped char " + i);
    }
  }

  @Test
  void garbageIsUnknown() {
    assertEquals(Verdict.UNKNOWN, nonces.check("!!!"));
    assertEquals(Verdict.UNKNOWN, nonces.check(""));
    assertEquals(Verdict.UNKNOWN, nonces.check("dcd98b7102dd2f0e8b11d0f600bfb0c093"));
    String valid = nonces.issue();
    assertEquals(Verdict.UNKNOWN, nonces.check(valid + "AAAA"), "too long");
    assertEquals(Verdict.UNKNOWN, nonces.check(valid.substring(0, valid.length() - 4)), "too short");
  }

  @Test
  void nonceFromAnotherInstanceIsUnknown() {
    // Another key (e.g. before a restart): read as unknown, whatever the clock says.
    NonceService other = new NonceService(clock, LIFETIME);
    assertEquals(Verdict.UNKNOWN, nonces.check(other.issue()));
    assertEquals(Verdict.VALID, other.check(other.issue()));
  }
}
