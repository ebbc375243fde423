package io.switchboard.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.account.UserAccounts;
import io.switchboard.core.account.UserRequests;
import io.switchboard.api.CallStateEvent;
import io.switchboard.api.EventAddresses;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.health.Health;
import io.switchboard.core.model.Role;
import io.switchboard.core.store.MongoStore;
import io.switchboard.core.store.MongoUserStore;
import io.switchboard.core.testing.ClusterNodes;
import io.switchboard.core.testing.TestConfigs;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two clustered nodes (Hazelcast on loopback, one JVM), each with its web console, on one store: a
 * session made by a login on A is a session on B (vertx-web's clustered session store), the live
 * channel opened on B gets the events published on A, a user whose console closes on A but stays
 * open on B is not reported offline, and failed logins on A throttle logins on B.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ConsoleClusterTest {

  private static final String PASSWORD = "bob-web-pw";

  private final List<Vertx> nodes = new ArrayList<>();
  private MongoStore store;
  private Vertx a;
  private Vertx b;
  private int portA;
  /** Held for the test: a client nobody references is shut down when collected, its sockets with it (Vert.x 5). */
  private final List<io.vertx.core.http.WebSocketClient> socketClients = new ArrayList<>();
  private int portB;

  @BeforeEach
  void start(@TempDir Path dir) throws Exception {
    ClusterNodes cluster = new ClusterNodes(2);
    a = cluster.start(0).await(90, TimeUnit.SECONDS);
    nodes.add(a);
    b = cluster.start(1).await(90, TimeUnit.SECONDS);
    nodes.add(b);
    SwitchboardConfig config = TestConfigs.loopback(dir, 0, 0, Map.of("web.login.max-failures", "3"));
    store = a.executeBlocking(() -> MongoStore.open(config.store())).await(60, TimeUnit.SECONDS);
    portA = console(a, config, true);
    portB = console(b, config, false);
  }

  @AfterEach
  void stop() throws Exception {
    for (Vertx v : nodes) {
      v.close().await(60, TimeUnit.SECONDS);
    }
    if (store != null) {
      store.close();
    }
  }

  @Test
  void aSessionMadeOnAServesOnBAndItsLiveChannelThereGetsEventsPublishedOnA() throws Exception {
    String cookie = login(portA);

    HttpResponse<Buffer> me = OneRequest.send(b,
        c -> c.get(portB, "127.0.0.1", "/api/me").putHeader("Cookie", cookie).send(), 30);
    assertEquals(200, me.statusCode(), me.bodyAsString());
    assertEquals("bob", me.bodyAsJsonObject().getString("username"));

    LinkedBlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    live(b, portB, cookie, frames);
    assertEquals("hello", next(frames, "hello").getString("type"));

    a.eventBus().publish(EventAddresses.CALL_STATE, new CallStateEvent("bob", CallStateEvent.State.IN_CALL, "1001").toJson());
    JsonObject call = next(frames, "call-state");
    assertEquals("IN_CALL", call.getString("state"), call.encode());
    assertEquals("1001", call.getString("peer"));

    // Logged out through B: the session is gone on A too.
    HttpResponse<Buffer> out = OneRequest.send(b, c -> c.post(portB, "127.0.0.1", "/api/logout")
        .putHeader("Cookie", cookie)
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("{}")), 30);
    assertTrue(out.statusCode() < 300, out.statusCode() + " " + out.bodyAsString());
    assertEquals(401, OneRequest.send(a,
        c -> c.get(portA, "127.0.0.1", "/api/me").putHeader("Cookie", cookie).send(), 30).statusCode());
  }

  @Test
  void aUserWithAConsoleStillOpenOnAnotherNodeIsNotReportedOffline() throws Exception {
    List<Long> offline = new ArrayList<>();
    Promise<Void> firstOffline = Promise.promise();
    a.eventBus().<JsonObject>consumer(EventAddresses.CONSOLE_PRESENCE, m -> {
      if ("bob".equals(m.body().getString("username")) && !m.body().getBoolean("online")) {
        synchronized (offline) {
          offline.add(System.nanoTime());
        }
        firstOffline.tryComplete();
      }
    }).completion().await(30, TimeUnit.SECONDS);
    // A asks the cluster before it reports bob offline: seen here as B's console takes the question
    // (B's answer follows on the same context, before anything else happens there).
    Promise<Void> askedOfB = Promise.promise();
    b.eventBus().addInboundInterceptor(ctx -> {
      if (ctx.message().address().equals(EventAddresses.CONSOLE_OPEN + "bob")) {
        askedOfB.tryComplete();
      }
      ctx.next();
    });

    String cookie = login(portA);
    WebSocket onA = live(a, portA, cookie, new LinkedBlockingQueue<>());
    WebSocket onB = live(b, portB, cookie, new LinkedBlockingQueue<>());

    onA.close().await(30, TimeUnit.SECONDS);
    askedOfB.future().await(LiveChannel.OFFLINE_GRACE_MILLIS + 60_000, TimeUnit.MILLISECONDS);
    // B answers that its console is open; then B's closes too, and only B's grace period ends in "offline".
    long closedOnB = System.nanoTime();
    onB.close().await(30, TimeUnit.SECONDS);
    firstOffline.future().await(LiveChannel.OFFLINE_GRACE_MILLIS + 60_000, TimeUnit.MILLISECONDS);
    long afterClose = TimeUnit.NANOSECONDS.toMillis(offline.get(0) - closedOnB);
    assertTrue(afterClose >= LiveChannel.OFFLINE_GRACE_MILLIS - 1_000,
        "offline only after the last console (on B) closed and its grace period passed, not when A's closed: "
            + afterClose + " ms after B's closed");
  }

  @Test
  void failedLoginsOnOneNodeThrottleTheOther() throws Exception {
    AtomicInteger heardOnB = new AtomicInteger();
    Promise<Void> bHeardThree = Promise.promise();
    b.eventBus().addInboundInterceptor(ctx -> {
      if (ctx.message().address().equals(EventAddresses.FAILURE + "login") && heardOnB.incrementAndGet() >= 3) {
        bHeardThree.tryComplete();
      }
      ctx.next();
    });
    for (int i = 0; i < 3; i++) {
      assertEquals(401, attempt(portA, "wrong-" + i).statusCode());
    }
    bHeardThree.future().await(30, TimeUnit.SECONDS);

    HttpResponse<Buffer> onB = attempt(portB, PASSWORD);
    assertEquals(429, onB.statusCode(), "B counted A's failures: " + onB.bodyAsString());
    assertNotNull(onB.getHeader("Retry-After"));
  }

  private HttpResponse<Buffer> attempt(int port, String password) throws Exception {
    return OneRequest.send(a, c -> c.post(port, "127.0.0.1", "/api/login")
        .sendJsonObject(new JsonObject().put("username", "bob").put("password", password)), 60);
  }

  /** Deploys a console on {@code vertx}, on the shared store; returns its port. */
  private int console(Vertx vertx, SwitchboardConfig config, boolean first) throws Exception {
    MongoUserStore users = new MongoUserStore(vertx, store);
    UserAccounts accounts = new UserAccounts(vertx, users, config.sip().domain());
    if (first) {
      vertx.executeBlocking(() -> {
        users.createIndexes();
        return null;
      }).await(60, TimeUnit.SECONDS);
      accounts.ensureAdmin(Optional.of("admin-password-1")).await(60, TimeUnit.SECONDS);
      accounts.create(new UserRequests.Create("bob", "Bob", "1002", PASSWORD, null, Role.USER, true))
          .await(60, TimeUnit.SECONDS);
    }
    Health health = new Health();
    health.report("store", Health.State.UP);
    WebConsole web = new WebConsole(config.web(), health, accounts);
    vertx.deployVerticle(web).await(60, TimeUnit.SECONDS);
    return web.actualPort();
  }

  /** Logs bob in on the console at {@code port}; returns the session cookie, as a browser sends it back. */
  private String login(int port) throws Exception {
    HttpResponse<Buffer> r = OneRequest.send(a, c -> c.post(port, "127.0.0.1", "/api/login")
        .sendJsonObject(new JsonObject().put("username", "bob").put("password", PASSWORD)), 60);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    String setCookie = r.cookies().stream().filter(c -> c.startsWith("switchboard.session=")).findFirst().orElse(null);
    assertNotNull(setCookie, "a session cookie: " + r.cookies());
    return setCookie.substring(0, setCookie.indexOf(';') < 0 ? setCookie.length() : setCookie.indexOf(';'));
  }

  private WebSocket live(Vertx vertx, int port, String cookie, LinkedBlockingQueue<JsonObject> frames)
      throws Exception {
    io.vertx.core.http.WebSocketClient client = vertx.createWebSocketClient();
    socketClients.add(client);
    WebSocket socket = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
        .setPort(port).setURI("/api/live").addHeader("Cookie", cookie).addHeader("Origin", "http://127.0.0.1:" + port))
        // On the event loop as the socket opens: set after the await, the first frame could come before it.
        .onSuccess(ws -> ws.textMessageHandler(t -> frames.add(new JsonObject(t))))
        .await(30, TimeUnit.SECONDS);
    return socket;
  }

  /** The next frame of this type (others skipped), within a bound. */
  private static JsonObject next(LinkedBlockingQueue<JsonObject> frames, String type) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      JsonObject f = frames.poll(Math.max(1, until - System.nanoTime()), TimeUnit.NANOSECONDS);
      assertNotNull(f, "no " + type + " frame within 30 s");
      if (type.equals(f.getString("type"))) {
        return f;
      }
    }
  }
}
