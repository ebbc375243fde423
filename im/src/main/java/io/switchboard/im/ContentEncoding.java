package io.switchboard.im;

import java.io.ByteArrayOutputStream;
import java.util.Locale;
import java.util.zip.DataFormatException;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;

/**
 * A MESSAGE body's {@code Content-Encoding} (RFC 3261 §20.12) undone, as Linphone sends its IMDNs:
 * {@code deflate} (zlib, RFC 1950; raw RFC 1951 deflate as some clients send it is read too) and
 * {@code gzip}. Bounded: a body that would inflate beyond the limit is refused, not expanded. Pure.
 */
final class ContentEncoding {

  /** What a 415 lists in Accept-Encoding. */
  static final String SUPPORTED = "deflate, gzip, identity";

  /** The body could not be decoded: an unknown encoding, corrupt data, or over the limit. */
  static final class Failure extends Exception {
    final boolean unsupported;
    final boolean tooLarge;

    Failure(String message, boolean unsupported, boolean tooLarge) {
      super(message);
      this.unsupported = unsupported;
      this.tooLarge = tooLarge;
    }
  }

  private ContentEncoding() {
  }

  /** @param encoding the header's value (null or "identity": the body as it is) */
  static byte[] decode(String encoding, byte[] body, int limit) throws Failure {
    String e = encoding == null ? "identity" : encoding.trim().toLowerCase(Locale.ROOT);
    return switch (e) {
      case "", "identity" -> body;
      case "deflate" -> inflate(body, limit);
      case "gzip", "x-gzip" -> gunzip(body, limit);
      default -> throw new Failure("unsupported Content-Encoding " + encoding, true, false);
    };
  }

  private static byte[] inflate(byte[] body, int limit) throws Failure {
    try {
      return inflate(body, limit, false);
    } catch (DataFormatException zlib) {
      try {
        return inflate(body, limit, true);
      } catch (DataFormatException raw) {
        throw new Failure("corrupt deflate data: " + zlib.getMessage(), false, false);
      }
    }
  }

  private static byte[] inflate(byte[] body, int limit, boolean raw) throws DataFormatException, Failure {
    Inflater inflater = new Inflater(raw);
    try {
      inflater.setInput(body);
      ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(limit, body.length * 4 + 64));
      byte[] buffer = new byte[4096];
      while (!inflater.finished()) {
        int n = inflater.inflate(buffer);
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          throw new DataFormatException("truncated");
        }
        out.write(buffer, 0, n);
        if (out.size() > limit) {
          throw new Failure("inflates beyond " + limit + " bytes", false, true);
        }
      }
      return out.toByteArray();
    } finally {
      inflater.end();
    }
  }

  private static byte[] gunzip(byte[] body, int limit) throws Failure {
    try (GZIPInputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(body))) {
      byte[] out = in.readNBytes(limit + 1);
      if (out.length > limit) {
        throw new Failure("inflates beyond " + limit + " bytes", false, true);
      }
      return out;
    } catch (java.io.IOException e) {
      throw new Failure("corrupt gzip data: " + e.getMessage(), false, false);
    }
  }
}
