package io.switchboard.web;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One request through a client of its own, held until the answer is in and then closed: Vert.x 5 shuts down a
 * client that is garbage collected, and a request in flight with it, so a client made inline for one request
 * (nothing referencing it while it waits) could lose its answer.
 */
final class OneRequest {

  private OneRequest() {
  }

  static HttpResponse<Buffer> send(Vertx vertx, Function<WebClient, Future<HttpResponse<Buffer>>> request, long seconds)
      throws Exception {
    WebClient client = WebClient.create(vertx);
    try {
      return request.apply(client).await(seconds, TimeUnit.SECONDS);
    } finally {
      client.close();
    }
  }
}
