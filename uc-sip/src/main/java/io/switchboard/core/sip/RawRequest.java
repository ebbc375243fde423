package io.switchboard.core.sip;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a request datagram says that a challenge needs, read straight from its bytes by a small,
 * strict scanner: the request line, the Vias, From, To, Call-ID, CSeq, Max-Forwards and
 * Content-Length (full or compact names, any case, folded lines). {@link #scan} answers null for
 * anything it does not fully understand, and for anything that is not a plain request without
 * credentials: an Authorization or Proxy-Authorization, a Require, Proxy-Require, Record-Route or
 * Timestamp, a To tag, no From tag, a CSeq that is not the method's, a Content-Length that is not
 * the body's, a Via it cannot rewrite as the stack does (IPv6, spaces, commas, quoted or
 * non-numeric rport parameters), bytes beyond ASCII or bare LFs in the headers. Those go to
 * JAIN-SIP's parser, as every request did before.
 *
 * <p>What a response copies is kept as JAIN-SIP encodes it (so that the answer is the one the stack
 * path gives, to the byte): a From or To as {@code ["display" ]<uri>;params}, a Via as
 * {@code SIP/2.0/UDP host:port;params}; only forms that encoding leaves as they are (or merely
 * quotes, brackets or joins) are accepted.
 *
 * @param vias the Vias, top first
 * @param from the From, with its tag
 * @param to the To, without a tag
 */
record RawRequest(String method, String requestUri, List<Via> vias, NameAddr from, String fromTag, NameAddr to,
    String callId, long cseq) {

  /**
   * A From or To value: {@code display} (unquoted; "" for none), the URI, and its parameters as
   * written, each with its leading ';' ("" for none).
   */
  record NameAddr(String display, String uri, String params) {

    /** As JAIN-SIP encodes it: a display name in quotes, the URI in angle brackets. */
    String encode() {
      return (display.isEmpty() ? "" : '"' + display + "\" ") + '<' + uri + '>' + params;
    }
  }

  /**
   * A Via value, as {@code SIP/2.0/UDP host[:port]} and its parameters in order.
   *
   * @param port -1 when none is given
   * @param params name, then value (null for a parameter without one), in order
   */
  record Via(String sentProtocol, String host, int port, List<String> params) {

    String param(String name) {
      for (int i = 0; i < params.size(); i += 2) {
        if (params.get(i).equalsIgnoreCase(name)) {
          return params.get(i + 1) == null ? "" : params.get(i + 1);
        }
      }
      return null;
    }

    /**
     * This Via as JAIN-SIP's UDP channel rewrites it on receipt (RFC 3261 §18.2.1, RFC 3581):
     * {@code received} set to the source address when there is an {@code rport} or the host is not
     * that address, {@code rport} given the source port when present; a parameter already there is
     * changed in place, a new one goes last.
     */
    Via received(String sourceIp, int sourcePort) {
      boolean rport = param("rport") != null;
      if (!rport && host.equals(sourceIp)) {
        return this;
      }
      List<String> changed = new ArrayList<>(params);
      set(changed, "received", sourceIp);
      if (rport) {
        set(changed, "rport", Integer.toString(sourcePort));
      }
      return new Via(sentProtocol, host, port, changed);
    }

    private static void set(List<String> params, String name, String value) {
      for (int i = 0; i < params.size(); i += 2) {
        if (params.get(i).equalsIgnoreCase(name)) {
          params.set(i + 1, value);
          return;
        }
      }
      params.add(name);
      params.add(value);
    }

    String encode() {
      StringBuilder out = new StringBuilder(64 + 16 * params.size());
      out.append(sentProtocol).append(' ').append(host);
      if (port >= 0) {
        out.append(':').append(port);
      }
      for (int i = 0; i < params.size(); i += 2) {
        out.append(';').append(params.get(i));
        if (params.get(i + 1) != null) {
          out.append('=').append(params.get(i + 1));
        }
      }
      return out.toString();
    }

    /** Where the answer goes (RFC 3261 §18.2.2, RFC 3581): received, else host; rport, else port, else 5060. */
    String targetHost() {
      String received = param("received");
      return received != null && !received.isEmpty() ? received : host;
    }

    int targetPort() {
      String rport = param("rport");
      return rport != null && !rport.isEmpty() ? Integer.parseInt(rport) : port > 0 ? port : 5060;
    }
  }

  /** The methods whose requests may be answered from their bytes: those the authenticator challenges. */
  private static final List<String> METHODS = List.of("REGISTER", "MESSAGE", "SUBSCRIBE", "PUBLISH");

  /** The method a datagram starts with, if one of {@link #METHODS} followed by a space; else null. Cheap. */
  static String method(byte[] buf, int off, int len) {
    for (String m : METHODS) {
      int n = m.length();
      if (len > n && buf[off + n] == ' ' && startsWith(buf, off, m)) {
        return m;
      }
    }
    return null;
  }

  /** What a header is to the scanner, by name (full or compact, any case). */
  private enum Kind { OTHER, VIA, FROM, TO, CALL_ID, CSEQ, MAX_FORWARDS, CONTENT_LENGTH, REFUSED }

  private static final Kind[] ALL_KINDS = Kind.values();

  private static final String[] NAMES = {"v", "via", "f", "from", "t", "to", "i", "call-id", "cseq", "max-forwards",
      "l", "content-length", "authorization", "proxy-authorization", "require", "proxy-require", "record-route",
      "timestamp"};
  private static final Kind[] KINDS = {Kind.VIA, Kind.VIA, Kind.FROM, Kind.FROM, Kind.TO, Kind.TO, Kind.CALL_ID,
      Kind.CALL_ID, Kind.CSEQ, Kind.MAX_FORWARDS, Kind.CONTENT_LENGTH, Kind.CONTENT_LENGTH,
      // Credentials are checked by the full path; the rest change the answer or what is copied.
      Kind.REFUSED, Kind.REFUSED, Kind.REFUSED, Kind.REFUSED, Kind.REFUSED, Kind.REFUSED};

  private static Kind kind(byte[] buf, int start, int end) {
    int n = end - start;
    for (int k = 0; k < NAMES.length; k++) {
      String name = NAMES[k];
      if (name.length() == n && equalsIgnoreCase(buf, start, name)) {
        return KINDS[k];
      }
    }
    return Kind.OTHER;
  }

  /** The values of the headers the scanner reads, as it goes. */
  private static final class Values {
    final List<String> vias = new ArrayList<>(2);
    String from;
    String to;
    String callId;
    String cseq;
    String maxForwards;
    String contentLength;

    /** @return false for a second From, To, Call-ID, CSeq, Max-Forwards or Content-Length, or a refused header */
    boolean put(Kind kind, String value) {
      switch (kind) {
        case VIA -> vias.add(value);
        case FROM -> from = once(from, value);
        case TO -> to = once(to, value);
        case CALL_ID -> callId = once(callId, value);
        case CSEQ -> cseq = once(cseq, value);
        case MAX_FORWARDS -> maxForwards = once(maxForwards, value);
        case CONTENT_LENGTH -> contentLength = once(contentLength, value);
        case REFUSED -> {
          return false;
        }
        default -> {
          return true;
        }
      }
      return value != null;
    }

    private static String once(String earlier, String value) {
      return earlier == null ? value : null;
    }
  }

  /** @return the request, or null when it is not one this scanner is certain of (see the class comment) */
  static RawRequest scan(byte[] buf, int off, int len) {
    String method = method(buf, off, len);
    if (method == null) {
      return null;
    }
    int end = off + len;
    int lineEnd = lineEnd(buf, off, end);
    if (lineEnd < 0) {
      return null;
    }
    String requestUri = requestUri(new String(buf, off, lineEnd - off, StandardCharsets.US_ASCII), method);
    if (requestUri == null) {
      return null;
    }
    // The values are made into strings only once the whole header is read and nothing refused in it:
    // half the traffic carries credentials, and is given up at their header for the price of a look.
    Values values = new Values();
    int[] spans = new int[3 * 16]; // kind, start, end of each header read
    java.util.Map<Integer, String> foldedValues = null; // by index in spans, the values with continuation lines
    int count = 0;
    int pos = lineEnd + 2;
    int bodyStart;
    while (true) {
      if (pos + 1 < end && buf[pos] == '\r' && buf[pos + 1] == '\n') {
        bodyStart = pos + 2;
        break;
      }
      int eol = lineEnd(buf, pos, end);
      if (eol < 0 || eol == pos) {
        return null;
      }
      if (buf[pos] == ' ' || buf[pos] == '\t') {
        // A continuation line: joined to its header's value by one space.
        if (count == 0) {
          return null;
        }
        int last = 3 * (count - 1);
        if (spans[last] != Kind.OTHER.ordinal()) {
          if (foldedValues == null) {
            foldedValues = new java.util.HashMap<>();
          }
          String sofar = foldedValues.getOrDefault(last, ascii(buf, spans[last + 1], spans[last + 2]).strip());
          foldedValues.put(last, sofar + ' ' + ascii(buf, pos, eol).strip());
        }
      } else {
        int colon = indexOf(buf, (byte) ':', pos, eol);
        int nameEnd = colon;
        while (nameEnd > pos && (buf[nameEnd - 1] == ' ' || buf[nameEnd - 1] == '\t')) {
          nameEnd--;
        }
        if (colon < 0 || nameEnd == pos || !isToken(buf, pos, nameEnd)) {
          return null;
        }
        Kind kind = kind(buf, pos, nameEnd);
        if (kind == Kind.REFUSED) {
          return null;
        }
        if (3 * count == spans.length) {
          spans = java.util.Arrays.copyOf(spans, 2 * spans.length);
        }
        spans[3 * count] = kind.ordinal();
        spans[3 * count + 1] = colon + 1;
        spans[3 * count + 2] = eol;
        count++;
      }
      pos = eol + 2;
    }
    for (int i = 0; i < 3 * count; i += 3) {
      Kind kind = ALL_KINDS[spans[i]];
      String folded = foldedValues == null ? null : foldedValues.get(i);
      if (kind != Kind.OTHER && !values.put(kind, folded != null ? folded : value(buf, kind, spans[i + 1], spans[i + 2]))) {
        return null;
      }
    }
    List<String> vias = values.vias;
    String from = values.from;
    String to = values.to;
    String callId = values.callId;
    String cseq = values.cseq;
    String maxForwards = values.maxForwards;
    String contentLength = values.contentLength;
    if (vias.isEmpty() || from == null || to == null || callId == null || cseq == null) {
      return null;
    }
    List<Via> parsedVias = new ArrayList<>(vias.size());
    for (String v : vias) {
      Via via = via(v);
      if (via == null) {
        return null;
      }
      parsedVias.add(via);
    }
    Via top = parsedVias.get(0);
    String branch = top.param("branch");
    if (!top.sentProtocol().equals("SIP/2.0/UDP") || branch == null || !branch.startsWith("z9hG4bK")) {
      return null;
    }
    NameAddr fromAddress = nameAddr(from);
    NameAddr toAddress = nameAddr(to);
    String fromTag = fromAddress == null ? null : tagOf(fromAddress.params());
    String toTag = toAddress == null ? null : tagOf(toAddress.params());
    // No tag at all is "": a From without one, a To with one (in a dialog) are the parser's.
    if (fromTag == null || fromTag.isEmpty() || toTag == null || !toTag.isEmpty()) {
      return null;
    }
    if (!isWord(callId)) {
      return null;
    }
    long seq = cseqNumber(cseq, method);
    if (seq < 0 || number(maxForwards, 3) < 1 || number(maxForwards, 3) > 255
        || number(contentLength, 9) != end - bodyStart) {
      return null;
    }
    return new RawRequest(method, requestUri, List.copyOf(parsedVias), fromAddress, fromTag, toAddress, callId, seq);
  }

  Via topVia() {
    return vias.get(0);
  }

  /** The top Via's branch. */
  String branch() {
    return topVia().param("branch");
  }

  /** The Request-URI of "METHOD sip:... SIP/2.0": a sip or sips URI with a host, else null. */
  private static String requestUri(String line, String method) {
    if (!line.endsWith(" SIP/2.0") || line.length() <= method.length() + 9) {
      return null;
    }
    String uri = line.substring(method.length() + 1, line.length() - 8);
    int scheme = uri.regionMatches(true, 0, "sip:", 0, 4) ? 4 : uri.regionMatches(true, 0, "sips:", 0, 5) ? 5 : -1;
    if (scheme < 0) {
      return null;
    }
    for (int i = 0; i < uri.length(); i++) {
      char c = uri.charAt(i);
      if (c <= ' ' || c >= 127 || c == '<' || c == '>' || c == '"') {
        return null;
      }
    }
    int at = uri.indexOf('@', scheme);
    int hostStart = at < 0 ? scheme : at + 1;
    int hostEnd = hostStart;
    while (hostEnd < uri.length() && isHostChar(uri.charAt(hostEnd))) {
      hostEnd++;
    }
    if (hostEnd == hostStart || uri.indexOf('@', hostStart) >= 0) {
      return null;
    }
    if (hostEnd < uri.length() && uri.charAt(hostEnd) == ':') {
      int portEnd = hostEnd + 1;
      while (portEnd < uri.length() && Character.isDigit(uri.charAt(portEnd))) {
        portEnd++;
      }
      int port = number(uri.substring(hostEnd + 1, portEnd), 5);
      if (port < 1 || port > 65535) {
        return null;
      }
      hostEnd = portEnd;
    }
    return hostEnd == uri.length() || uri.charAt(hostEnd) == ';' || uri.charAt(hostEnd) == '?' ? uri : null;
  }

  /** A Via value this scanner can rewrite: {@code SIP/2.0/<transport> host[:port]} and plain parameters. */
  static Via via(String value) {
    if (!value.startsWith("SIP/2.0/") || value.indexOf(',') >= 0 || value.indexOf('"') >= 0) {
      return null;
    }
    int space = value.indexOf(' ');
    if (space <= 8 || !all(value, 8, space, c -> c >= 'A' && c <= 'Z')) {
      return null;
    }
    String sentProtocol = value.substring(0, space);
    String rest = value.substring(space + 1);
    int semi = rest.indexOf(';');
    String sentBy = semi < 0 ? rest : rest.substring(0, semi);
    int colon = sentBy.indexOf(':');
    String host = colon < 0 ? sentBy : sentBy.substring(0, colon);
    int port = colon < 0 ? -1 : number(sentBy.substring(colon + 1), 5);
    if (host.isEmpty() || !all(host, 0, host.length(), c -> isHostChar((char) c)) || colon >= 0 && (port < 1 || port > 65535)) {
      return null;
    }
    List<String> params = new ArrayList<>(8);
    if (semi >= 0) {
      for (String param : rest.substring(semi + 1).split(";", -1)) {
        int eq = param.indexOf('=');
        String name = eq < 0 ? param : param.substring(0, eq);
        String v = eq < 0 ? null : param.substring(eq + 1);
        if (!isToken(name) || v != null && !isParamValue(v)) {
          return null;
        }
        if (name.equalsIgnoreCase("rport") && v != null && (number(v, 5) < 1 || number(v, 5) > 65535)) {
          return null; // a value the stack cannot read as a port: it drops such requests
        }
        params.add(name);
        params.add(v);
      }
    }
    return new Via(sentProtocol, host, port, params);
  }

  /**
   * A From or To value taken apart; null when it is not a plain {@code ["display" | display] <uri>;params}
   * or {@code uri;params} (parameters then belong to the header, RFC 3261 §20.10) whose encoding by
   * JAIN-SIP this scanner is certain of: a sip or sips URI of plain characters (no escapes, quotes,
   * brackets), a display name of tokens or quoted without escapes.
   */
  static NameAddr nameAddr(String value) {
    int lt = value.indexOf('<');
    String display;
    String uri;
    String params;
    if (lt >= 0) {
      display = value.substring(0, lt).strip();
      if (display.length() >= 2 && display.charAt(0) == '"' && display.charAt(display.length() - 1) == '"') {
        display = display.substring(1, display.length() - 1);
        if (display.indexOf('"') >= 0 || display.indexOf('\\') >= 0
            || !all(display, 0, display.length(), c -> c >= ' ' && c < 127)) {
          return null;
        }
      } else if (!display.isEmpty() && !tokens(display)) {
        return null;
      }
      int gt = value.indexOf('>', lt);
      if (gt < 0) {
        return null;
      }
      uri = value.substring(lt + 1, gt);
      params = value.substring(gt + 1).strip();
    } else {
      display = "";
      int semi = value.indexOf(';');
      uri = semi < 0 ? value : value.substring(0, semi);
      params = semi < 0 ? "" : value.substring(semi);
    }
    return plainUri(uri) && (params.isEmpty() || params.charAt(0) == ';') ? new NameAddr(display, uri, params) : null;
  }

  /** The tag among a From's or To's parameters ({@code ;name=value...}): "" for none, null when they are not plain. */
  static String tagOf(String params) {
    if (params.isEmpty()) {
      return "";
    }
    String tag = "";
    for (String param : params.substring(1).split(";", -1)) {
      int eq = param.indexOf('=');
      String name = eq < 0 ? param : param.substring(0, eq);
      String v = eq < 0 ? null : param.substring(eq + 1);
      if (!isToken(name) || v != null && !isParamValue(v)) {
        return null;
      }
      if (name.equalsIgnoreCase("tag")) {
        if (v == null || v.isEmpty() || !tag.isEmpty()) {
          return null;
        }
        tag = v;
      }
    }
    return tag;
  }

  private static boolean all(String s, int from, int to, java.util.function.IntPredicate test) {
    for (int i = from; i < to; i++) {
      if (!test.test(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** Tokens separated by single spaces (an unquoted display name). */
  private static boolean tokens(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(isTokenChar(c) || c == ' ' && i > 0 && i < s.length() - 1 && s.charAt(i - 1) != ' ')) {
        return false;
      }
    }
    return true;
  }

  /** A sip or sips URI (lower-case scheme) of unreserved characters and SIP URI punctuation only. */
  private static boolean plainUri(String uri) {
    if (!uri.startsWith("sip:") && !uri.startsWith("sips:") || uri.indexOf('@') != uri.lastIndexOf('@')) {
      return false;
    }
    for (int i = 0; i < uri.length(); i++) {
      char c = uri.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || ".-_~+:@;=".indexOf(c) >= 0)) {
        return false;
      }
    }
    return true;
  }

  /** "&lt;digits&gt; &lt;method&gt;" for this request's method: its number (below 2^31), else -1. */
  private static long cseqNumber(String value, String method) {
    int space = 0;
    while (space < value.length() && Character.isDigit(value.charAt(space))) {
      space++;
    }
    if (space == 0 || space > 10 || space == value.length() || value.charAt(space) != ' ') {
      return -1;
    }
    long n = Long.parseLong(value.substring(0, space));
    return n < (1L << 31) && value.substring(space).strip().equals(method) ? n : -1;
  }

  /** A decimal number of at most {@code digits} digits; -1 when it is anything else (or null). */
  private static int number(String s, int digits) {
    if (s == null || s.isEmpty() || s.length() > digits) {
      return -1;
    }
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  /** Visible ASCII without spaces or quotes: a Call-ID (RFC 3261 word, loosely). */
  private static boolean isWord(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= ' ' || c >= 127 || c == '"') {
        return false;
      }
    }
    return true;
  }

  private static boolean isToken(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (!isTokenChar(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** RFC 3261 token characters. */
  private static boolean isTokenChar(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-.!%*_+`'~".indexOf(c) >= 0;
  }

  /** A parameter value: a token, or an IPv4 address or host (what tags, branches, received and rport hold). */
  private static boolean isParamValue(String s) {
    return s.isEmpty() || isToken(s); // host characters are token characters
  }

  private static boolean isHostChar(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-';
  }

  private static boolean startsWith(byte[] buf, int off, String ascii) {
    for (int i = 0; i < ascii.length(); i++) {
      if (buf[off + i] != ascii.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The index of the CR of the CRLF that ends the line starting at {@code from}; -1 when there is none,
   * or the line holds a bare CR or LF, a NUL or a byte beyond ASCII (the parser's to judge).
   */
  private static int lineEnd(byte[] buf, int from, int end) {
    for (int i = from; i < end; i++) {
      byte b = buf[i];
      if (b == '\r') {
        return i + 1 < end && buf[i + 1] == '\n' ? i : -1;
      }
      if (b == '\n' || b == 0 || b < 0) {
        return -1;
      }
    }
    return -1;
  }

  private static String ascii(byte[] buf, int start, int end) {
    return new String(buf, start, end - start, StandardCharsets.US_ASCII);
  }

  /** A header's value, trimmed; null for headers the scanner does not read (no string made). */
  private static String value(byte[] buf, Kind kind, int start, int end) {
    if (kind == Kind.OTHER || kind == Kind.REFUSED) {
      return null;
    }
    while (start < end && (buf[start] == ' ' || buf[start] == '\t')) {
      start++;
    }
    while (end > start && (buf[end - 1] == ' ' || buf[end - 1] == '\t')) {
      end--;
    }
    return ascii(buf, start, end);
  }

  private static boolean isToken(byte[] buf, int start, int end) {
    for (int i = start; i < end; i++) {
      if (!isTokenChar((char) buf[i])) {
        return false;
      }
    }
    return true;
  }

  /** Whether the bytes from {@code start} spell {@code lowerCase}, in any case (ASCII). */
  private static boolean equalsIgnoreCase(byte[] buf, int start, String lowerCase) {
    for (int i = 0; i < lowerCase.length(); i++) {
      int b = buf[start + i];
      if ((b >= 'A' && b <= 'Z' ? b + 32 : b) != lowerCase.charAt(i)) {
        return false;
      }
    }
    return true;
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
