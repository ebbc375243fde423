package io.switchboard.presence;

import static io.switchboard.core.sip.SipBytes.isHeader;
import static io.switchboard.core.sip.SipBytes.put;
import static io.switchboard.core.sip.SipBytes.utf8;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;
import javax.sip.address.SipURI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.ContentLengthHeader;
import javax.sip.header.RouteHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;

/**
 * A dialog's NOTIFY as bytes (RFC 6665 §4.2.2 over UDP): its fixed part (request line, Call-ID,
 * From, To, Max-Forwards, Route, Contact, Event) encoded once from the dialog's JAIN-SIP template,
 * and per NOTIFY only Via (our sent-by, a fresh branch), CSeq, Subscription-State, Content-Type,
 * Content-Length and the shared body appended: no message object on the send path. The next hop is
 * where JAIN-SIP's router would send it (RFC 3261 §8.1.2): the first Route when it is a loose
 * router, else the Request-URI. Made only when that hop is an IP literal over UDP; otherwise
 * ({@link #of} null) the NOTIFY takes the stack's path. Pure: no Vert.x, no sockets.
 */
final class NotifyBytes {

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  /** The fixed parts between a NOTIFY's per-request values. */
  private static final byte[] CSEQ = utf8("\r\nCSeq: ");
  private static final byte[] STATE = utf8(" NOTIFY\r\nSubscription-State: ");
  private static final byte[] REASON = utf8(";reason=");
  private static final byte[] EXPIRES = utf8(";expires=");
  private static final byte[] CRLF = utf8("\r\n");
  private static final byte[] LENGTH = utf8("Content-Length: ");
  private static final byte[] END = utf8("\r\n\r\n");

  private final byte[] head;
  private final byte[] via;
  private final byte[] contentType;
  private final InetSocketAddress to;

  private NotifyBytes(byte[] head, byte[] via, byte[] contentType, InetSocketAddress to) {
    this.head = head;
    this.via = via;
    this.contentType = contentType;
    this.to = to;
  }

  /**
   * @param template the dialog's NOTIFY without state or body (its Via and CSeq are replaced)
   * @param sentBy our host:port for the Via
   * @return null when the NOTIFY must take the stack's path (not UDP, a name to resolve, a strict router)
   */
  static NotifyBytes of(Request template, String sentBy, String type, String subType) {
    InetSocketAddress hop = nextHop(template);
    if (hop == null) {
      return null;
    }
    StringBuilder head = new StringBuilder(512);
    for (String line : template.toString().split("\r\n")) {
      if (line.isEmpty()) {
        break; // the end of the headers
      }
      if (!isHeader(line, ViaHeader.NAME) && !isHeader(line, "v") && !isHeader(line, CSeqHeader.NAME)
          && !isHeader(line, ContentLengthHeader.NAME) && !isHeader(line, "l")) {
        head.append(line).append("\r\n");
      }
    }
    return new NotifyBytes(utf8(head.toString()), utf8("Via: SIP/2.0/UDP " + sentBy + ";branch="),
        utf8("Content-Type: " + type + "/" + subType + "\r\n"), hop);
  }

  /** Where the NOTIFY goes. */
  InetSocketAddress to() {
    return to;
  }

  /**
   * One NOTIFY, written straight into the one array that goes on the wire (no intermediate strings:
   * one per watcher and change).
   *
   * @param branch our Via branch (ASCII, as {@code state} and {@code reason})
   * @param state active, pending or terminated
   * @param reason for terminated, else null (then {@code expires} is given)
   * @param body the document, or null for none
   */
  byte[] render(String branch, long cseq, String state, String reason, int expires, byte[] body) {
    int bodyLength = body == null ? 0 : body.length;
    int size = head.length + via.length + branch.length() + CSEQ.length + digits(cseq) + STATE.length + state.length()
        + (reason != null ? REASON.length + reason.length() : EXPIRES.length + digits(expires)) + CRLF.length
        + (body != null ? contentType.length : 0) + LENGTH.length + digits(bodyLength) + END.length + bodyLength;
    byte[] out = new byte[size];
    int at = put(out, 0, head);
    at = put(out, at, via);
    at = ascii(out, at, branch);
    at = put(out, at, CSEQ);
    at = decimal(out, at, cseq);
    at = put(out, at, STATE);
    at = ascii(out, at, state);
    if (reason != null) {
      at = put(out, at, REASON);
      at = ascii(out, at, reason);
    } else {
      at = put(out, at, EXPIRES);
      at = decimal(out, at, expires);
    }
    at = put(out, at, CRLF);
    if (body != null) {
      at = put(out, at, contentType);
    }
    at = put(out, at, LENGTH);
    at = decimal(out, at, bodyLength);
    at = put(out, at, END);
    if (body != null) {
      put(out, at, body);
    }
    return out;
  }

  /** Writes an ASCII string (a branch, a state, a reason: ours, never other characters). */
  private static int ascii(byte[] out, int at, String s) {
    for (int i = 0; i < s.length(); i++) {
      out[at++] = (byte) s.charAt(i);
    }
    return at;
  }

  /** How many characters a non-negative number takes in decimal. */
  static int digits(long n) {
    int count = 1;
    while (n >= 10) {
      n /= 10;
      count++;
    }
    return count;
  }

  /** Writes a non-negative number in decimal. */
  private static int decimal(byte[] out, int at, long n) {
    int end = at + digits(n);
    for (int i = end - 1; i >= at; i--) {
      out[i] = (byte) ('0' + n % 10);
      n /= 10;
    }
    return end;
  }

  /** The next hop of a request over UDP when it is an IP literal; null otherwise. */
  static InetSocketAddress nextHop(Request request) {
    SipURI target;
    RouteHeader route = (RouteHeader) request.getHeader(RouteHeader.NAME);
    if (route != null) {
      if (!(route.getAddress().getURI() instanceof SipURI uri) || !uri.hasLrParam()) {
        return null; // a strict router: the stack rewrites the Request-URI
      }
      target = uri;
    } else if (request.getRequestURI() instanceof SipURI uri) {
      target = uri;
    } else {
      return null;
    }
    String transport = target.getTransportParam();
    if (target.isSecure() || target.getMAddrParam() != null
        || (transport != null && !"udp".equals(transport.toLowerCase(Locale.ROOT)))) {
      return null;
    }
    InetAddress address = literal(target.getHost());
    return address == null ? null : new InetSocketAddress(address, target.getPort() > 0 ? target.getPort() : 5060);
  }

  /** An IPv4 or IPv6 literal as an address (no name lookup); null for a host name. */
  private static InetAddress literal(String host) {
    if (host == null) {
      return null;
    }
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (!IPV4.matcher(h).matches() && !h.contains(":")) {
      return null;
    }
    try {
      return InetAddress.getByName(h); // a literal: parsed, never looked up
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
