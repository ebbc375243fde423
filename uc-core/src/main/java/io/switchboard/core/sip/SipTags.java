package io.switchboard.core.sip;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** Tags and branch ids: globally unique and cryptographically random enough (RFC 3261 §19.3). */
public final class SipTags {

  private SipTags() {
  }

  public static String newTag() {
    byte[] b = new byte[8];
    ThreadLocalRandom.current().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** A branch with the RFC 3261 magic cookie. */
  public static String newBranch() {
    return "z9hG4bK" + newTag();
  }
}
