package io.switchboard.presence;

import java.nio.charset.StandardCharsets;
import java.util.function.LongFunction;

/**
 * A document for a NOTIFY, given the subscription's own version number (RFC 4235, RFC 3858). Most
 * are serialised once and shared by every watcher who may see the same thing: whole (PIDF), or
 * around the version, which is spliced in without rendering again (dialog-info). The shared arrays
 * are never changed once made.
 */
@FunctionalInterface
interface Rendered {

  byte[] withVersion(long version);

  /** A document with no version: the same array for every watcher. */
  static Rendered whole(byte[] document) {
    return version -> document;
  }

  /** A document serialised once around its version number. */
  static Rendered around(byte[] beforeVersion, byte[] afterVersion) {
    return version -> {
      byte[] number = Long.toString(version).getBytes(StandardCharsets.US_ASCII);
      byte[] out = new byte[beforeVersion.length + number.length + afterVersion.length];
      System.arraycopy(beforeVersion, 0, out, 0, beforeVersion.length);
      System.arraycopy(number, 0, out, beforeVersion.length, number.length);
      System.arraycopy(afterVersion, 0, out, beforeVersion.length + number.length, afterVersion.length);
      return out;
    };
  }

  /** A document rendered for each subscription (one's own watcher list: few, and only one's own). */
  static Rendered perVersion(LongFunction<byte[]> render) {
    return render::apply;
  }
}
