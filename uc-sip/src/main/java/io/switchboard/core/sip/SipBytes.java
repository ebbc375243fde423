package io.switchboard.core.sip;

import java.nio.charset.StandardCharsets;

/**
 * What the requests we write as bytes ({@code MessageBytes} in im, {@code NotifyBytes} in presence) share when
 * they take a stack-encoded request apart and put it back together around the parts that change per send.
 */
public final class SipBytes {

  private SipBytes() {
  }

  /** Whether an encoded header {@code line} is header {@code name} (any case; "Via:" or "Via :"). */
  public static boolean isHeader(String line, String name) {
    return line.length() > name.length() && line.regionMatches(true, 0, name, 0, name.length())
        && (line.charAt(name.length()) == ':' || line.charAt(name.length()) == ' ');
  }

  public static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Copies {@code part} into {@code out} at {@code at}; returns where the next part goes. */
  public static int put(byte[] out, int at, byte[] part) {
    System.arraycopy(part, 0, out, at, part.length);
    return at + part.length;
  }
}
