package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.WebClientSession;

/** The API as a browser uses it in the server's tests: a cookie session per user, JSON errors. */
final class Api {

  private Api() {
  }

  /**
   * A session with no one logged in yet, against the running switchboard, over HTTPS when it has a
   * certificate (a test's throwaway one, so trusted as it is).
   */
  /**
   * One request through a client of its own, held until the answer is in and then closed: Vert.x 5 shuts down a
   * client that is garbage collected, and a request in flight with it, so a client made inline for one request
   * (nothing referencing it while it waits) could lose its answer.
   */
  static HttpResponse<Buffer> once(Vertx vertx,
      java.util.function.Function<WebClient, Future<HttpResponse<Buffer>>> request) {
    WebClient client = WebClient.create(vertx);
    try {
      return request.apply(client).await();
    } finally {
      client.close();
    }
  }

  static WebClientSession session(Vertx vertx, Switchboard switchboard) {
    boolean https = switchboard.web().url().startsWith("https:");
    return WebClientSession.create(WebClient.create(vertx, new WebClientOptions().setSsl(https)
        .setTrustAll(https).setDefaultHost("127.0.0.1").setDefaultPort(switchboard.web().actualPort())));
  }

  /** A logged-in session of {@code user} against the running switchboard. */
  static WebClientSession login(Vertx vertx, Switchboard switchboard, String user, String password) {
    WebClientSession c = session(vertx, switchboard);
    HttpResponse<Buffer> r = c.post("/api/login")
        .sendJsonObject(new JsonObject().put("username", user).put("password", password)).await();
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return c;
  }

  /** Creates users {@code {username, extension}} as the admin: web password {@code <name>-web-pw}, SIP {@code <name>-sip-pw}. */
  static void createUsers(WebClientSession admin, String[]... users) {
    for (String[] u : users) {
      HttpResponse<Buffer> r = admin.post("/api/users").sendJsonObject(new JsonObject().put("username", u[0])
          .put("extension", u[1]).put("password", u[0] + "-web-pw").put("sipPassword", u[0] + "-sip-pw")).await();
      assertEquals(201, r.statusCode(), r.bodyAsString());
    }
  }

  /** The answer is {@code status} with a JSON error naming {@code field} (when not null). */
  static void assertError(HttpResponse<Buffer> r, int status, String field) {
    assertEquals(status, r.statusCode(), r.bodyAsString());
    if (field != null) {
      assertEquals(field, r.bodyAsJsonObject().getString("field"), r.bodyAsString());
    }
  }
}
