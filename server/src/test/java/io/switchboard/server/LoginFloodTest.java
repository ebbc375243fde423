package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.EventAddresses;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.Sipp;
import io.switchboard.core.testing.TestConfigs;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole server under a login flood: 100 wrong logins at once reach the password check at most
 * max-failures times, and SIP keeps answering while those are being hashed (its sends and look-ups
 * have pools of their own).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
class LoginFloodTest {

  private static final int FLOOD = 100;
  private static final int MAX_FAILURES = 5;

  @Test
  void sipIsAnsweredDuringALoginFlood(Vertx vertx, @TempDir Path dir) throws Exception {
    int sipPort = FreePorts.udpAndTcp();
    Switchboard switchboard = new Switchboard(vertx, TestConfigs.loopback(dir, sipPort, 0, Map.of(
        "admin.password", "admin-password", "web.login.max-failures", String.valueOf(MAX_FAILURES))), s -> { });
    switchboard.start().await();
    try {
      AtomicInteger loginFailures = new AtomicInteger();
      vertx.eventBus().<JsonObject>consumer(EventAddresses.SECURITY_EVENT, m -> {
        if ("LOGIN_FAILED".equals(m.body().getString("kind"))) {
          loginFailures.incrementAndGet();
        }
      }).completion().await();
      WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
          .setDefaultPort(switchboard.web().actualPort()), new PoolOptions().setHttp1MaxSize(FLOOD));

      Promise<Void> firstRefusal = Promise.promise();
      List<Future<HttpResponse<Buffer>>> logins = new ArrayList<>();
      for (int i = 0; i < FLOOD; i++) {
        logins.add(client.post("/api/login").sendJsonObject(new JsonObject().put("username", "admin")
            .put("password", "not-the-password-" + i)).onSuccess(r -> {
              if (r.statusCode() == 429) {
                firstRefusal.tryComplete();
              }
            }));
      }
      // Once the budget is spent, the admitted attempts are being hashed: ask SIP now.
      firstRefusal.future().await(60, TimeUnit.SECONDS);
      Sipp.Result options = Sipp.scenario("options.xml", sipPort).key("domain", "switchboard.test").run();
      assertTrue(options.passed(), options::toString);
      assertTrue(options.messages().contains("SIP/2.0 200 OK"), options::toString);

      Future.all(logins).await();
      long unauthorized = logins.stream().filter(f -> f.result().statusCode() == 401).count();
      long throttled = logins.stream().filter(f -> f.result().statusCode() == 429).count();
      assertTrue(unauthorized >= 1 && unauthorized <= MAX_FAILURES, "password checks: " + unauthorized);
      assertEquals(FLOOD, unauthorized + throttled);
      // One LOGIN_FAILED per password check that ran (the bus may deliver the last just after the answer).
      Promise<Void> allReported = Promise.promise();
      long timer = vertx.setPeriodic(20, id -> {
        if (loginFailures.get() >= unauthorized) {
          allReported.tryComplete();
        }
      });
      allReported.future().await(10, TimeUnit.SECONDS);
      vertx.cancelTimer(timer);
      assertEquals(unauthorized, loginFailures.get());
      client.close();
    } finally {
      switchboard.stop().await();
    }
  }
}
