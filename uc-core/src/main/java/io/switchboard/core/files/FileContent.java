package io.switchboard.core.files;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/**
 * A stored file's bytes being read one chunk at a time, so that serving a file never holds it whole in
 * memory (a 25 MB file to ten browsers at once). Read with {@link #next()} until it gives an empty buffer;
 * {@link #close()} whenever the reader stops, at the end or half way (a browser gone).
 */
public interface FileContent {

  /** The next chunk of the file (at most one stored chunk); an empty buffer at its end. One call at a time. */
  Future<Buffer> next();

  /** Stops reading; any call after it fails. Safe to call more than once. */
  void close();
}
