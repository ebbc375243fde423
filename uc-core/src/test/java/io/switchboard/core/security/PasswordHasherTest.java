package io.switchboard.core.security;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** Web password hashing. Each hash costs ~0.1-0.5 s by design, so one is shared where possible. */
class PasswordHasherTest {

  private static final PasswordHasher HASHER = new PasswordHasher();
  private static String stored;

  @BeforeAll
  static void hashOnce() {
    stored = HASHER.hash("correct horse battery staple");
  }

  @Test
  void rightPasswordVerifies() {
    assertTrue(HASHER.verify("correct horse battery staple", stored));
  }

  @Test
  void wrongPasswordDoesNot() {
    assertFalse(HASHER.verify("correct horse battery stapler", stored));
    assertFalse(HASHER.verify("", stored));
    assertFalse(HASHER.verify(null, stored));
  }

  @Test
  void storedFormNamesItsParametersAndHoldsNoPlaintext() {
    assertTrue(stored.startsWith("pbkdf2-sha512$210000$"), stored);
    assertFalse(stored.contains("horse"), stored);
  }

  @Test
  void samePasswordHashesDifferentlyEachTime() {
    // Random salt: equal passwords must not be recognisable in the store.
    String again = HASHER.hash("correct horse battery staple");
    assertNotEquals(stored, again);
    assertTrue(HASHER.verify("correct horse battery staple", again));
  }

  @Test
  void hashWithOtherIterationsStillVerifies() throws Exception {
    // The stored form carries its iteration count so it can be raised later without locking people out.
    byte[] salt = "0123456789abcdef".getBytes();
    byte[] key = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512")
        .generateSecret(new PBEKeySpec("old-password".toCharArray(), salt, 1000, 512)).getEncoded();
    Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
    String old = "pbkdf2-sha512$1000$" + b64.encodeToString(salt) + "$" + b64.encodeToString(key);
    assertTrue(HASHER.verify("old-password", old));
    assertFalse(HASHER.verify("new-password", old));
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {
      "garbage",
      "pbkdf2-sha512",
      "pbkdf2-sha512$210000$c2FsdA",                      // too few parts
      "pbkdf2-sha512$210000$c2FsdA$aGFzaA$extra",         // too many parts
      "bcrypt$210000$c2FsdA$aGFzaA",                      // other scheme
      "pbkdf2-sha512$many$c2FsdA$aGFzaA",                 // iterations not a number
      "pbkdf2-sha512$0$c2FsdA$aGFzaA",                    // iterations not positive
      "pbkdf2-sha512$-5$c2FsdA$aGFzaA",
      "pbkdf2-sha512$1000$!!!$aGFzaA",                    // salt not base64
      "pbkdf2-sha512$1000$c2FsdA$***",                    // hash not base64
      "pbkdf2-sha512$1000$$aGFzaA",                       // empty salt
  })
  void malformedStoredHashIsFalseNeverAnException(String bad) {
    assertFalse(assertDoesNotThrow(() -> HASHER.verify("correct horse battery staple", bad)), String.valueOf(bad));
  }
}
