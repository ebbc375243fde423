package io.switchboard.web;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * An {@link OutputStream} for a worker thread that feeds an HTTP response with back-pressure: bytes
 * go out in chunks written on the response's context, and the writer blocks (on its worker, never on
 * an event loop) while {@value #WINDOW} chunks are not yet on the wire, so a slow client slows the
 * producer instead of filling the heap. A client that went away, or read nothing for
 * {@value #STALL_SECONDS} s, fails the next write.
 */
final class ResponseOutputStream extends OutputStream {

  static final int CHUNK = 64 * 1024;
  static final int WINDOW = 4;
  static final int STALL_SECONDS = 60;

  private final Context context;
  private final HttpServerResponse response;
  private final Semaphore window = new Semaphore(WINDOW);
  private final byte[] buffer = new byte[CHUNK];
  private int length;
  private volatile Throwable failure;

  /** @param context the response's (event-loop) context */
  ResponseOutputStream(Context context, HttpServerResponse response) {
    this.context = context;
    this.response = response;
    context.runOnContext(v -> response.closeHandler(x -> failure = new IOException("the client closed the connection")));
  }

  @Override
  public void write(int b) throws IOException {
    if (length == CHUNK) {
      send();
    }
    buffer[length++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    while (len > 0) {
      if (length == CHUNK) {
        send();
      }
      int n = Math.min(len, CHUNK - length);
      System.arraycopy(b, off, buffer, length, n);
      length += n;
      off += n;
      len -= n;
    }
  }

  @Override
  public void flush() throws IOException {
    send();
  }

  @Override
  public void close() throws IOException {
    send();
  }

  private void send() throws IOException {
    if (length == 0) {
      return;
    }
    Buffer chunk = Buffer.buffer(Arrays.copyOf(buffer, length));
    length = 0;
    try {
      if (!window.tryAcquire(STALL_SECONDS, TimeUnit.SECONDS)) {
        throw new IOException("the client read nothing for " + STALL_SECONDS + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (failure != null) {
      throw new IOException(failure.getMessage(), failure);
    }
    context.runOnContext(v -> response.write(chunk).onComplete(r -> {
      if (r.failed() && failure == null) {
        failure = r.cause();
      }
      window.release();
    }));
  }
}
