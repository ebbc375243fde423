package io.switchboard.im;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Common Presence and Instant Messaging message format (RFC 3862), as far as IM needs it: read the
 * message headers, the inner content type and the inner body; write one. Pure: bytes in, record out.
 *
 * <pre>
 * From: Alice &lt;im:alice@example.com&gt;      message headers
 * To: Bob &lt;im:bob@example.com&gt;
 * DateTime: 2000-12-13T13:40:00-08:00
 *                                           blank line
 * Content-Type: text/plain; charset=utf-8   MIME headers of the inner content
 *                                           blank line
 * Hello                                     inner body
 * </pre>
 */
public record Cpim(Map<String, String> headers, String contentType, byte[] body) {

  public static final String CONTENT_TYPE = "message/cpim";

  /** @throws IllegalArgumentException when the bytes are not a CPIM message */
  public static Cpim parse(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    int[] first = blankLine(text, 0);
    if (first == null) {
      throw new IllegalArgumentException("no blank line after the CPIM message headers");
    }
    Map<String, String> headers = headers(text.substring(0, first[0]));
    int[] second = blankLine(text, first[1]);
    if (second == null) {
      throw new IllegalArgumentException("no blank line after the CPIM content headers");
    }
    Map<String, String> mime = headers(text.substring(first[1], second[0]));
    String type = mime.getOrDefault("content-type", "text/plain");
    // The inner body is kept exactly as sent, line ends included.
    return new Cpim(headers, type, text.substring(second[1]).getBytes(StandardCharsets.UTF_8));
  }

  /** {start, end} of the first empty line at or after {@code from} (CRLF CRLF, or LF LF). */
  private static int[] blankLine(String text, int from) {
    int crlf = text.indexOf("\r\n\r\n", from);
    int lf = text.indexOf("\n\n", from);
    if (crlf >= 0 && (lf < 0 || crlf < lf)) {
      return new int[] {crlf, crlf + 4};
    }
    return lf >= 0 ? new int[] {lf, lf + 2} : null;
  }

  /** A CPIM message around a text, as rooms send it (the original sender in From). */
  public static byte[] render(String from, String to, String dateTime, String text) {
    String cpim = "From: " + from + "\r\nTo: " + to + "\r\nDateTime: " + dateTime + "\r\n\r\n"
        + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + text;
    return cpim.getBytes(StandardCharsets.UTF_8);
  }

  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** True when the inner content is text a phone can show. */
  public boolean isText() {
    return contentType.toLowerCase(Locale.ROOT).startsWith("text/plain");
  }

  private static Map<String, String> headers(String block) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : block.split("\r?\n")) {
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("bad CPIM header line: " + line);
      }
      out.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
    }
    return out;
  }
}
