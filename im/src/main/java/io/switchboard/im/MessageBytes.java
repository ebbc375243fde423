package io.switchboard.im;

import static io.switchboard.core.sip.SipBytes.isHeader;
import static io.switchboard.core.sip.SipBytes.put;
import static io.switchboard.core.sip.SipBytes.utf8;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContentLengthHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;

/**
 * The MESSAGE to one registered device as bytes (RFC 3428 over UDP): what depends only on the device
 * (request line, Via's sent-by, CSeq, To, Max-Forwards, the Route back through its NAT) is encoded once
 * from a request {@code SipEdge#requestToDevice} built for its binding; per message only the Via branch,
 * Call-ID, From, Content-Type, Content-Length and the body are written, in the places the stack writes
 * them. No message object and no parse of the Contact per message. Pure: no Vert.x, no sockets.
 *
 * <p>A From this class cannot write exactly as the stack would (a user part with characters a SIP URI
 * must escape) is refused ({@link #render} null): that message takes the stack's path.
 */
final class MessageBytes {

  /** What a user part may hold unescaped (RFC 3261 §25.1: unreserved and user-unreserved, minus ';' '?' '/'). */
  private static final String USER_MARKS = "-_.!~*'()&=+$,";

  /** The headers written per message, where the template has them. */
  private enum Slot { VIA, CALL_ID, FROM }

  /** The request line and fixed headers as bytes, and {@link Slot}s, in the template's order. */
  private final List<Object> parts;
  private final String viaBeforeBranch;
  private final String viaAfterBranch;
  private final String callIdHost;
  private final String domain;
  private final InetSocketAddress to;

  private MessageBytes(List<Object> parts, String viaBeforeBranch, String viaAfterBranch, String callIdHost,
      String domain, InetSocketAddress to) {
    this.parts = parts;
    this.viaBeforeBranch = viaBeforeBranch;
    this.viaAfterBranch = viaAfterBranch;
    this.callIdHost = callIdHost;
    this.domain = domain;
    this.to = to;
  }

  /**
   * @param template a MESSAGE built for the device, without a body (its Via branch, Call-ID and From are
   *     replaced per message)
   * @param to where it goes, as {@code SipEdge#datagramTarget} found it
   * @param domain the host of the From's URI
   * @return null when the template is not what this class writes (no Via, no Call-ID with a host)
   */
  static MessageBytes of(Request template, InetSocketAddress to, String domain) {
    String[] lines = template.toString().split("\r\n");
    String via = null;
    String callIdHost = null;
    boolean from = false;
    List<Object> parts = new ArrayList<>();
    StringBuilder fixed = new StringBuilder(256).append(lines[0]).append("\r\n");
    for (int i = 1; i < lines.length && !lines[i].isEmpty(); i++) {
      String line = lines[i];
      Slot slot = null;
      if (via == null && (isHeader(line, ViaHeader.NAME) || isHeader(line, "v"))) {
        via = line;
        slot = Slot.VIA;
      } else if (isHeader(line, CallIdHeader.NAME) || isHeader(line, "i")) {
        int at = line.lastIndexOf('@');
        callIdHost = at < 0 ? null : line.substring(at + 1).trim();
        slot = Slot.CALL_ID;
      } else if (isHeader(line, FromHeader.NAME) || isHeader(line, "f")) {
        from = true;
        slot = Slot.FROM;
      } else if (isHeader(line, ContentLengthHeader.NAME) || isHeader(line, "l")
          || isHeader(line, ContentTypeHeader.NAME) || isHeader(line, "c")) {
        continue; // written per message, at the end
      } else {
        fixed.append(line).append("\r\n");
        continue;
      }
      parts.add(utf8(fixed.toString()));
      fixed.setLength(0);
      parts.add(slot);
    }
    parts.add(utf8(fixed.toString()));
    int branch = via == null ? -1 : via.indexOf(";branch=");
    if (branch < 0 || !from || callIdHost == null || callIdHost.isEmpty()) {
      return null;
    }
    int valueEnd = via.indexOf(';', branch + 8);
    return new MessageBytes(List.copyOf(parts), via.substring(0, branch + 8),
        valueEnd < 0 ? "" : via.substring(valueEnd), callIdHost, domain, to);
  }

  /** Where it goes. */
  InetSocketAddress to() {
    return to;
  }

  /**
   * One MESSAGE.
   *
   * @param branch the top Via's branch (z9hG4bK...)
   * @param callId the local part of the Call-ID (the host is the template's)
   * @param fromUser the From URI's user part
   * @param displayName the From's display name, or null
   * @param fromTag the From tag
   * @param contentType e.g. {@code text/plain;charset=UTF-8}
   * @return the datagram, or null when {@code fromUser} needs escaping (the stack's path writes it)
   */
  byte[] render(String branch, String callId, String fromUser, String displayName, String fromTag,
      String contentType, byte[] body) {
    if (!plainUser(fromUser)) {
      return null;
    }
    byte[] via = utf8(viaBeforeBranch + branch + viaAfterBranch + "\r\n");
    byte[] callIdLine = utf8("Call-ID: " + callId + "@" + callIdHost + "\r\n");
    StringBuilder f = new StringBuilder(64 + (displayName == null ? 0 : displayName.length())).append("From: ");
    if (displayName != null) {
      quoted(f, displayName).append(' ');
    }
    f.append("<sip:").append(fromUser).append('@').append(domain).append(">;tag=").append(fromTag).append("\r\n");
    byte[] fromLine = utf8(f.toString());
    byte[] tail = utf8("Content-Type: " + contentType + "\r\nContent-Length: " + body.length + "\r\n\r\n");
    int size = via.length + callIdLine.length + fromLine.length + tail.length + body.length;
    for (Object part : parts) {
      size += part instanceof byte[] fixed ? fixed.length : 0;
    }
    byte[] out = new byte[size];
    int at = 0;
    for (Object part : parts) {
      at = put(out, at, part instanceof byte[] fixed ? fixed : part == Slot.VIA ? via
          : part == Slot.CALL_ID ? callIdLine : fromLine);
    }
    at = put(out, at, tail);
    put(out, at, body);
    return out;
  }

  /**
   * A display name as a quoted-string (RFC 3261 §25.1): '"' and '\' as quoted-pairs; control characters
   * (CR and LF among them, which would end the header) as spaces. UTF-8 stays as it is.
   */
  static StringBuilder quoted(StringBuilder out, String name) {
    out.append('"');
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f) {
        out.append(' ');
      } else {
        out.append(c);
      }
    }
    return out.append('"');
  }

  /** Whether a user part is written as it is (letters, digits and the marks a user part keeps unescaped). */
  static boolean plainUser(String user) {
    if (user == null || user.isEmpty()) {
      return false;
    }
    for (int i = 0; i < user.length(); i++) {
      char c = user.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || USER_MARKS.indexOf(c) >= 0)) {
        return false;
      }
    }
    return true;
  }
}
