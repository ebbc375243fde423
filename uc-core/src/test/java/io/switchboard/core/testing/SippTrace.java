package io.switchboard.core.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads SIPp's -trace_msg file: the messages a SIPp instance sent and received, as they were on the wire. */
public final class SippTrace {

  /** One message: its start line, headers and body. */
  public record Message(boolean received, String startLine, String headers, String body) {

    /** The first header with this name (case-insensitive), or null. */
    public String header(String name) {
      for (String line : headers.split("\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
          return line.substring(colon + 1).trim();
        }
      }
      return null;
    }
  }

  private static final Pattern BLOCK = Pattern.compile(
      "-{20,} [^\\n]*\\n(UDP|TCP) message (sent|received)[^\\n]*\\n\\n(.*?)(?=\\n-{20,} |\\z)", Pattern.DOTALL);

  private SippTrace() {
  }

  public static List<Message> parse(String trace) {
    List<Message> out = new ArrayList<>();
    Matcher m = BLOCK.matcher(trace);
    while (m.find()) {
      // The trace's own lines end in LF; the SIP message inside keeps its CRLFs, body included.
      String text = m.group(3);
      int blank = text.indexOf("\r\n\r\n");
      int separator = 4;
      if (blank < 0) {
        blank = text.indexOf("\n\n");
        separator = 2;
      }
      String head = (blank < 0 ? text : text.substring(0, blank)).replace("\r", "");
      String rest = blank < 0 ? "" : text.substring(blank + separator);
      String startLine = head.lines().findFirst().orElse("");
      String headers = head.substring(startLine.length()).strip();
      Message msg = new Message(m.group(2).equals("received"), startLine, headers, "");
      String length = msg.header("Content-Length");
      int bytes = length == null ? 0 : Integer.parseInt(length.trim());
      byte[] raw = rest.getBytes(StandardCharsets.UTF_8);
      String body = new String(raw, 0, Math.min(bytes, raw.length), StandardCharsets.UTF_8);
      out.add(new Message(msg.received(), startLine, headers, body));
    }
    return out;
  }

  /** Requests of this method that the SIPp instance received, in order. */
  public static List<Message> received(String trace, String method) {
    return parse(trace).stream().filter(m -> m.received() && m.startLine().startsWith(method + " ")).toList();
  }

  /** Requests of this method that the SIPp instance sent, in order. */
  public static List<Message> sent(String trace, String method) {
    return parse(trace).stream().filter(m -> !m.received() && m.startLine().startsWith(method + " ")).toList();
  }

  private static final Pattern STAMPED = Pattern.compile(
      "-{20,} (\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?)[^\\n]*\\n(?:UDP|TCP) message received[^\\n]*\\n\\n(\\S+) ");

  /**
   * When SIPp received each request of this method (its trace's time stamp, the machine's local time), in
   * order: when something reached the wire, not when a test saw the trace.
   */
  public static List<java.time.LocalDateTime> receivedAt(String trace, String method) {
    List<java.time.LocalDateTime> out = new ArrayList<>();
    Matcher m = STAMPED.matcher(trace);
    while (m.find()) {
      if (m.group(2).equals(method)) {
        out.add(java.time.LocalDateTime.parse(m.group(1).replace(' ', 'T')));
      }
    }
    return out;
  }

  private static final Pattern STAMPED_ANY = Pattern.compile(
      "-{20,} (\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?)[^\\n]*\\n(?:UDP|TCP) message (sent|received)[^\\n]*\\n\\n([^\\r\\n]*)");

  /**
   * When SIPp sent (or received) each message whose start line begins with {@code startLine} (e.g.
   * {@code "SIP/2.0 200"}), in order, by its trace's time stamps: the order of events on the wire across
   * SIPp processes of one machine.
   */
  public static List<java.time.LocalDateTime> at(String trace, boolean received, String startLine) {
    List<java.time.LocalDateTime> out = new ArrayList<>();
    Matcher m = STAMPED_ANY.matcher(trace);
    while (m.find()) {
      if (m.group(2).equals(received ? "received" : "sent") && m.group(3).startsWith(startLine)) {
        out.add(java.time.LocalDateTime.parse(m.group(1).replace(' ', 'T')));
      }
    }
    return out;
  }

  /** The status of the last response received, or -1. */
  public static int lastStatus(String trace) {
    List<Message> responses = parse(trace).stream().filter(m -> m.received() && m.startLine().startsWith("SIP/2.0 "))
        .toList();
    return responses.isEmpty() ? -1 : Integer.parseInt(responses.get(responses.size() - 1).startLine().substring(8, 11));
  }
}
