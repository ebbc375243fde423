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

  /** @return the request, or null when it is not one this scanner is certain of (see the class comment) */
  static RawRequest scan(byte[] buf, int off, int len) {
    String method = method(buf, off, len);
    if (method == null) {
      return null;
    }
    int end = off + len;
    int headersEnd = indexOfCrlfCrlf(buf, off, end);
    if (headersEnd < 0) {
      return null;
    }
    for (int i = off; i < headersEnd; i++) {
      byte b = buf[i];
      // Only ASCII, and lines end in CRLF: a bare CR or LF, a NUL or a non-ASCII byte is the parser's.
      if (b < 0 || b == 0 || b == '\n' && buf[i - 1] != '\r' || b == '\r' && buf[i + 1] != '\n') {
        return null;
      }
    }
    int bodyStart = headersEnd + 4;
    String head = new String(buf, off, headersEnd - off, StandardCharsets.US_ASCII);
    int lineEnd = head.indexOf("\r\n");
    String requestLine = lineEnd < 0 ? head : head.substring(0, lineEnd);
    String requestUri = requestUri(requestLine, method);
    if (requestUri == null || lineEnd < 0) {
      return null;
    }
    List<String> lines = unfolded(head.substring(lineEnd + 2));
    if (lines == null) {
      return null;
    }
    List<String> vias = new ArrayList<>(2);
    String from = null;
    String to = null;
    String callId = null;
    String cseq = null;
    String maxForwards = null;
    String contentLength = null;
    for (String line : lines) {
      int colon = line.indexOf(':');
      if (colon <= 0) {
        return null;
      }
      String name = line.substring(0, colon).stripTrailing();
      if (!isToken(name)) {
        return null;
      }
      String value = line.substring(colon + 1).strip();
      switch (name.toLowerCase(java.util.Locale.ROOT)) {
        case "via", "v" -> {
          vias.add(value);
        }
        case "from", "f" -> {
          if (from != null) {
            return null;
          }
          from = value;
        }
        case "to", "t" -> {
          if (to != null) {
            return null;
          }
          to = value;
        }
        case "call-id", "i" -> {
          if (callId != null) {
            return null;
          }
          callId = value;
        }
        case "cseq" -> {
          if (cseq != null) {
            return null;
          }
          cseq = value;
        }
        case "max-forwards" -> {
          if (maxForwards != null) {
            return null;
          }
          maxForwards = value;
        }
        case "content-length", "l" -> {
          if (contentLength != null) {
            return null;
          }
          contentLength = value;
        }
        // Credentials are checked by the full path; the rest change the answer or what is copied.
        case "authorization", "proxy-authorization", "require", "proxy-require", "record-route", "timestamp" -> {
          return null;
        }
        default -> {
          // any other header: not needed for the challenge
        }
      }
    }
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

  /** The header lines, each continuation line (starting with a space or tab) joined to its header by one space. */
  private static List<String> unfolded(String headers) {
    List<String> lines = new ArrayList<>(16);
    for (String line : headers.split("\r\n", -1)) {
      if (line.isEmpty()) {
        return null;
      }
      if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
        if (lines.isEmpty()) {
          return null;
        }
        int last = lines.size() - 1;
        lines.set(last, lines.get(last).stripTrailing() + ' ' + line.strip());
      } else {
        lines.add(line);
      }
    }
    return lines;
  }

  /** A Via value this scanner can rewrite: {@code SIP/2.0/<transport> host[:port]} and plain parameters. */
  static Via via(String value) {
    if (!value.startsWith("SIP/2.0/") || value.indexOf(',') >= 0 || value.indexOf('"') >= 0) {
      return null;
    }
    int space = value.indexOf(' ');
    if (space < 0 || !value.substring(8, space).matches("[A-Z]+")) {
      return null;
    }
    String sentProtocol = value.substring(0, space);
    String rest = value.substring(space + 1);
    int semi = rest.indexOf(';');
    String sentBy = semi < 0 ? rest : rest.substring(0, semi);
    int colon = sentBy.indexOf(':');
    String host = colon < 0 ? sentBy : sentBy.substring(0, colon);
    int port = colon < 0 ? -1 : number(sentBy.substring(colon + 1), 5);
    if (host.isEmpty() || !host.chars().allMatch(c -> isHostChar((char) c)) || colon >= 0 && (port < 1 || port > 65535)) {
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
            || !display.chars().allMatch(c -> c >= ' ' && c < 127)) {
          return null;
        }
      } else if (!display.isEmpty() && !display.matches("[A-Za-z0-9.!%*_+`'~-]+( [A-Za-z0-9.!%*_+`'~-]+)*")) {
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
    return s.isEmpty() || isToken(s) || s.chars().allMatch(c -> isHostChar((char) c));
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

  private static int indexOfCrlfCrlf(byte[] buf, int from, int end) {
    for (int i = from; i + 3 < end; i++) {
      if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
        return i;
      }
    }
    return -1;
  }
}
