package io.switchboard.core.files;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which type a file is served as, from the type its uploader claimed and its first bytes. Pure. A claim
 * that its bytes contradict (a "PNG" that does not start as one) and types a browser would run or render
 * as a page (HTML, SVG, XML, scripts) become {@code application/octet-stream}, so that nothing uploaded
 * runs in the console's origin.
 */
public final class FileTypes {

  public static final String OCTET_STREAM = "application/octet-stream";
  /** How many leading bytes {@link #checked} looks at. */
  public static final int HEAD = 16;
  /** Images shown inline in the console and served inline: each checked by its magic number. */
  public static final Set<String> INLINE_IMAGES = Set.of("image/png", "image/jpeg", "image/gif", "image/webp");

  private static final Map<String, byte[][]> MAGIC = Map.of(
      "image/png", new byte[][] {{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}},
      "image/jpeg", new byte[][] {{(byte) 0xff, (byte) 0xd8, (byte) 0xff}},
      "image/gif", new byte[][] {"GIF87a".getBytes(), "GIF89a".getBytes()},
      "image/webp", new byte[][] {"RIFF".getBytes()},
      "application/pdf", new byte[][] {"%PDF-".getBytes()},
      "application/zip", new byte[][] {{'P', 'K', 3, 4}, {'P', 'K', 5, 6}});

  /** Rendered or run by a browser: never served as themselves. */
  private static final Set<String> ACTIVE = Set.of("text/html", "application/xhtml+xml", "image/svg+xml", "text/xml",
      "application/xml", "text/javascript", "application/javascript", "application/x-javascript", "text/ecmascript",
      "application/ecmascript", "multipart/x-mixed-replace");

  private FileTypes() {
  }

  /**
   * @param claimed the type the uploader gave (null or blank: unknown)
   * @param head the file's first bytes (up to {@link #HEAD})
   * @return the type to keep and serve: lower case, without parameters
   */
  public static String checked(String claimed, byte[] head) {
    String type = claimed == null ? "" : claimed.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!type.matches("[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*") || ACTIVE.contains(type)) {
      return OCTET_STREAM;
    }
    byte[][] magic = MAGIC.get(type);
    if (magic != null && Arrays.stream(magic).noneMatch(m -> startsWith(head, m))) {
      return OCTET_STREAM;
    }
    if (type.equals("image/webp") && !(head.length >= 12 && new String(head, 8, 4, java.nio.charset.StandardCharsets.US_ASCII).equals("WEBP"))) {
      return OCTET_STREAM;
    }
    if (type.startsWith("image/") && !INLINE_IMAGES.contains(type)) {
      return OCTET_STREAM; // an image we cannot check (SVG is above): kept, but only as bytes
    }
    return type;
  }

  private static boolean startsWith(byte[] head, byte[] prefix) {
    return head.length >= prefix.length && Arrays.equals(head, 0, prefix.length, prefix, 0, prefix.length);
  }

  /** "1.2 MB", "340 KB", "12 bytes": sizes as the text to phones shows them (decimal units). */
  public static String humanSize(long bytes) {
    if (bytes < 1000) {
      return bytes + (bytes == 1 ? " byte" : " bytes");
    }
    String[] units = {"KB", "MB", "GB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit++;
    }
    return (value < 10 ? String.format(Locale.ROOT, "%.1f", value) : String.valueOf(Math.round(value))) + " " + units[unit];
  }
}
