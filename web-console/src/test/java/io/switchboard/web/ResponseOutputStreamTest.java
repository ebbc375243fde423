package io.switchboard.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A producer on a worker thread streaming into an HTTP response through {@link ResponseOutputStream}
 * is held back while the client reads nothing (it blocks, and has not written the whole body), and
 * the client gets every byte, in order, once it reads.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class ResponseOutputStreamTest {

  private static final int TOTAL = 48 * 1024 * 1024;

  @Test
  void aClientThatDoesNotReadHoldsTheProducerBack(Vertx vertx) throws Exception {
    byte[] body = new byte[TOTAL];
    new Random(7).nextBytes(body); // random: nothing on the way compresses it
    AtomicLong produced = new AtomicLong();
    Promise<Void> producerDone = Promise.promise();
    Thread[] producer = new Thread[1];
    HttpServer server = vertx.createHttpServer().requestHandler(request -> {
      var response = request.response().setChunked(true);
      ResponseOutputStream out = new ResponseOutputStream(vertx.getOrCreateContext(), response);
      var context = vertx.getOrCreateContext();
      producer[0] = new Thread(() -> {
        try {
          for (int off = 0; off < TOTAL; off += 8192) {
            out.write(body, off, 8192);
            produced.addAndGet(8192);
          }
          out.close();
          context.runOnContext(v -> response.end());
          producerDone.complete();
        } catch (Exception e) {
          producerDone.fail(e);
        }
      }, "test-producer");
      producer[0].start();
    }).listen(0, "127.0.0.1").await();

    var client = vertx.createHttpClient();
    HttpClientResponse response = client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/")
        // Paused as it arrives, on its context: a chunk delivered before a handler is set would be dropped.
        .compose(r -> r.send().map(resp -> resp.pause())).await();

    // The producer ends up waiting for the client: parked in the stream, with the body not all written.
    Promise<Void> held = Promise.promise();
    long check = vertx.setPeriodic(50, id -> {
      Thread t = producer[0];
      if (t != null && t.getState() == Thread.State.TIMED_WAITING && !producerDone.future().isComplete()) {
        held.tryComplete();
      }
    });
    held.future().await(60, TimeUnit.SECONDS);
    vertx.cancelTimer(check);
    assertTrue(produced.get() < TOTAL, "held back after " + produced.get() + " of " + TOTAL + " bytes");

    MessageDigest received = MessageDigest.getInstance("SHA-256");
    AtomicLong length = new AtomicLong();
    Promise<Void> ended = Promise.promise();
    response.handler(chunk -> {
      received.update(chunk.getBytes());
      length.addAndGet(chunk.length());
    });
    response.endHandler(v -> ended.complete());
    response.resume();
    ended.future().await(90, TimeUnit.SECONDS);
    producerDone.future().await(10, TimeUnit.SECONDS);
    assertEquals(TOTAL, length.get());
    assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(body), received.digest(), "every byte, in order");
    client.close().await();
    server.close().await();
  }
}
