package io.switchboard.core.sip;

import java.nio.charset.StandardCharsets;

/**
 * What a SIP response datagram says that matters to match it to one of our client transactions
 * (RFC 3261 §17.1.3): its status code, its top Via's branch and its CSeq method, read straight from
 * the bytes, without parsing the message. Anything it does not recognise (a request, folded
 * headers, no branch) is left to JAIN-SIP's parser: {@link #peek} answers null.
 */
record DatagramAnswer(int status, String branch, String cseqMethod) {

  /** @return the answer's key fields, or null when the datagram is not a response it can read */
  static DatagramAnswer peek(byte[] buf, int off, int len) {
    int end = off + len;
    // "SIP/2.0 200 ..." : a request starts with its method.
    if (len < 14 || buf[off] != 'S' || buf[off + 1] != 'I' || buf[off + 2] != 'P' || buf[off + 3] != '/'
        || buf[off + 4] != '2' || buf[off + 5] != '.' || buf[off + 6] != '0' || buf[off + 7] != ' ') {
      return null;
    }
    int status = digit(buf[off + 8]) * 100 + digit(buf[off + 9]) * 10 + digit(buf[off + 10]);
    if (status < 100 || status > 699 || buf[off + 11] != ' ') {
      return null;
    }
    String branch = null;
    String method = null;
    int line = lineEnd(buf, off, end);
    while (line < end) {
      int start = skipCrlf(buf, line, end);
      int stop = lineEnd(buf, start, end);
      if (start == stop) {
        break; // the blank line: the body follows
      }
      if (buf[start] == ' ' || buf[start] == '\t') {
        return null; // a folded header: leave it to the parser
      }
      int colon = indexOf(buf, (byte) ':', start, stop);
      if (colon < 0) {
        return null;
      }
      // Names compared in the bytes: every header of every answer passes here, most of them neither.
      if (branch == null && (nameIs(buf, start, colon, "Via") || nameIs(buf, start, colon, "v"))) {
        branch = branchOf(new String(buf, colon + 1, stop - colon - 1, StandardCharsets.US_ASCII));
        if (branch == null) {
          return null;
        }
      } else if (method == null && nameIs(buf, start, colon, "CSeq")) {
        method = secondOfTwoWords(buf, colon + 1, stop);
        if (method == null) {
          return null;
        }
      }
      if (branch != null && method != null) {
        return new DatagramAnswer(status, branch, method);
      }
      line = stop;
    }
    return null;
  }

  /** The branch parameter of the first Via value of a header line; null if it has none. */
  static String branchOf(String viaValue) {
    int comma = viaValue.indexOf(',');
    String first = comma < 0 ? viaValue : viaValue.substring(0, comma);
    for (String param : first.split(";")) {
      int eq = param.indexOf('=');
      if (eq > 0 && param.substring(0, eq).trim().equalsIgnoreCase("branch")) {
        String value = param.substring(eq + 1).trim();
        return value.isEmpty() ? null : value;
      }
    }
    return null;
  }

  /** Whether the header name between {@code from} and the colon, blanks around it ignored, is {@code name} in any case. */
  private static boolean nameIs(byte[] buf, int from, int colon, String name) {
    int a = from;
    int b = colon;
    while (a < b && (buf[a] & 0xff) <= ' ') {
      a++;
    }
    while (b > a && (buf[b - 1] & 0xff) <= ' ') {
      b--;
    }
    if (b - a != name.length()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      int c = buf[a + i];
      if (Character.toLowerCase(c) != Character.toLowerCase(name.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** The second of exactly two blank-separated words (a CSeq's method), else null. */
  private static String secondOfTwoWords(byte[] buf, int from, int to) {
    int words = 0;
    int secondStart = -1;
    int secondEnd = -1;
    int i = from;
    while (i < to) {
      while (i < to && blank(buf[i])) {
        i++;
      }
      if (i == to) {
        break;
      }
      int wordStart = i;
      while (i < to && !blank(buf[i])) {
        i++;
      }
      if (++words == 2) {
        secondStart = wordStart;
        secondEnd = i;
      }
    }
    return words == 2 ? new String(buf, secondStart, secondEnd - secondStart, StandardCharsets.US_ASCII) : null;
  }

  private static boolean blank(byte b) {
    return b == ' ' || b == '\t' || b == 0x0B || b == '\f';
  }

  private static int digit(byte b) {
    return b >= '0' && b <= '9' ? b - '0' : -1000;
  }

  private static int lineEnd(byte[] buf, int from, int end) {
    int i = from;
    while (i < end && buf[i] != '\r' && buf[i] != '\n') {
      i++;
    }
    return i;
  }

  private static int skipCrlf(byte[] buf, int from, int end) {
    int i = from;
    if (i < end && buf[i] == '\r') {
      i++;
    }
    if (i < end && buf[i] == '\n') {
      i++;
    }
    return i;
  }

  private static int indexOf(byte[] buf, byte b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (buf[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
