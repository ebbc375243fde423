package io.switchboard.core.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The stateless To tag: SipHash-2-4 as its authors' reference computes it, stable per request, 64 bits of hex. */
class SipTagsTest {

  @Test
  void sipHashMatchesTheReferenceVectors() {
    // The SipHash paper's Appendix A and the reference vectors.h: key 00..0f, messages 00..(n-1).
    long k0 = 0x0706050403020100L;
    long k1 = 0x0f0e0d0c0b0a0908L;
    assertEquals(0xa129ca6149be45e5L, SipTags.sipHash24(k0, k1, bytes(15)));
    assertEquals(0x726fdb47dd0e0e31L, SipTags.sipHash24(k0, k1, bytes(0)));
    assertEquals(0x93f5f5799a932462L, SipTags.sipHash24(k0, k1, bytes(8)));
  }

  @Test
  void theTagIsTheSameForTheSameRequestAndDiffersOtherwise() {
    String tag = SipTags.statelessTag("call@host", "from1", 1, "z9hG4bKa");
    assertEquals(tag, SipTags.statelessTag("call@host", "from1", 1, "z9hG4bKa"));
    assertTrue(tag.matches("[0-9a-f]{16}"), tag);
    assertNotEquals(tag, SipTags.statelessTag("call@host", "from1", 2, "z9hG4bKa"));
    assertNotEquals(tag, SipTags.statelessTag("call@host", "from1", 1, "z9hG4bKb"));
    assertNotEquals(tag, SipTags.statelessTag("call@host2", "from1", 1, "z9hG4bKa"));
  }

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) i;
    }
    return b;
  }
}
