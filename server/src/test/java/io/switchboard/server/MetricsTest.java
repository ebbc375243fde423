package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.metrics.Metrics;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.Sipp;
import io.switchboard.core.testing.TestConfigs;
import io.switchboard.telephony.FakeAsterisk;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.WebClientSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Prometheus at /metrics after real SIP traffic (SIPp): the counters moved by exactly what was sent,
 * the text is well-formed exposition, only a token or an administrator may read it; and the status
 * page draws the live charts in headless Chromium.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class MetricsTest {

  private static final String TOKEN = "scrape-token-0123456789";
  private static final String DOMAIN = "switchboard.test";
  /** Labels that would name a person or a place: never on our meters. */
  private static final Set<String> PERSONAL_LABELS = Set.of("user", "username", "address", "source", "contact",
      "remote", "local", "from", "to", "aor");

  private static Vertx vertx;
  private static FakeAsterisk asterisk;
  private static Switchboard switchboard;
  private static WebClient client;
  private static int sipPort;

  @BeforeAll
  static void start() throws Exception {
    Metrics metrics = new Metrics();
    vertx = metrics.newVertx(new VertxOptions());
    asterisk = new FakeAsterisk("uc", "ucsecret");
    sipPort = FreePorts.udpAndTcp();
    Path dir = Files.createTempDirectory("metrics-test");
    switchboard = new Switchboard(vertx, TestConfigs.loopback(dir, sipPort, 0, Map.of("admin.password",
        "admin-password", "metrics.token", TOKEN, "ami.host", "127.0.0.1", "ami.port", String.valueOf(asterisk.port()),
        "ami.username", "uc", "ami.secret", "ucsecret")), metrics, s -> { });
    switchboard.start().await(120, TimeUnit.SECONDS);
    client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(switchboard.web().actualPort()));
    WebClientSession admin = Api.login(vertx, switchboard, "admin", "admin-password");
    Api.createUsers(admin, new String[] {"bob", "1002"}, new String[] {"carol", "1003"}, new String[] {"dave", "1004"},
        new String[] {"erin", "1005"}, new String[] {"fay", "1006"}, new String[] {"gus", "1007"},
        new String[] {"hal", "1008"});
  }

  @AfterAll
  static void stop() throws Exception {
    if (switchboard != null) {
      switchboard.stop().await(60, TimeUnit.SECONDS);
    }
    if (asterisk != null) {
      asterisk.close();
    }
    if (vertx != null) {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static HttpResponse<Buffer> get(HttpRequest<Buffer> request) {
    return request.send().await();
  }

  private static PrometheusText scrape() {
    HttpResponse<Buffer> r = get(client.get("/metrics").putHeader("Authorization", "Bearer " + TOKEN));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertTrue(r.getHeader("Content-Type").startsWith("text/plain; version=0.0.4"), r.getHeader("Content-Type"));
    return PrometheusText.parse(r.bodyAsString());
  }

  /** Scrapes until the condition holds (counters are bumped just after the answer leaves), at most 20 s. */
  private static PrometheusText scrapeUntil(Predicate<PrometheusText> condition) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    PrometheusText p = scrape();
    while (!condition.test(p) && Instant.now().isBefore(deadline)) {
      vertx.timer(200).await();
      p = scrape();
    }
    return p;
  }

  @Test
  void countersMoveByExactlyTheTrafficAndTheTextIsPrometheusExposition() throws Exception {
    PrometheusText before = scrape();
    int devicePort = FreePorts.udpAndTcp();
    Sipp.Running bobPhone = Sipp.device("receive-message.xml", devicePort, 1).start();
    Sipp.Result reg = Sipp.scenario("register-device.xml", sipPort).key("domain", DOMAIN).key("aor", "bob")
        .key("contact", "bob-desk").key("device", "127.0.0.1:" + devicePort).key("accept", "text/plain")
        .auth("bob", "bob-sip-pw").run();
    assertTrue(reg.passed(), reg::toString);
    Sipp.Result delivered = Sipp.scenario("send-message.xml", sipPort).key("domain", DOMAIN).key("from", "carol")
        .key("to", "bob").key("ctype", "text/plain").key("body", "to the phone").auth("carol", "carol-sip-pw").run();
    assertTrue(delivered.messages().contains("SIP/2.0 200 OK"), delivered::toString);
    Sipp.Result phone = bobPhone.await();
    assertTrue(phone.passed(), phone::toString);
    Sipp.Result stored = Sipp.scenario("send-message.xml", sipPort).key("domain", DOMAIN).key("from", "carol")
        .key("to", "dave").key("ctype", "text/plain").key("body", "for later").auth("carol", "carol-sip-pw").run();
    assertTrue(stored.messages().contains("SIP/2.0 202 Accepted"), stored::toString);
    assertEquals(401, client.post("/api/login").sendJsonObject(new JsonObject().put("username", "fay")
        .put("password", "wrong-password")).await().statusCode());

    // Expected: REGISTER 401 + 200; two MESSAGEs, each 407 then 200 / 202.
    Map<String, Double> moved = Map.ofEntries(
        Map.entry("switchboard_sip_requests_total{method=\"REGISTER\",status=\"2xx\"}", 1.0),
        Map.entry("switchboard_sip_requests_total{method=\"REGISTER\",status=\"4xx\"}", 1.0),
        Map.entry("switchboard_sip_requests_total{method=\"MESSAGE\",status=\"2xx\"}", 2.0),
        Map.entry("switchboard_sip_requests_total{method=\"MESSAGE\",status=\"4xx\"}", 2.0),
        Map.entry("switchboard_sip_request_duration_seconds_count{method=\"REGISTER\"}", 2.0),
        Map.entry("switchboard_sip_request_duration_seconds_count{method=\"MESSAGE\"}", 4.0),
        Map.entry("switchboard_messages_total{outcome=\"accepted\"}", 2.0),
        Map.entry("switchboard_messages_total{outcome=\"delivered\"}", 1.0),
        Map.entry("switchboard_messages_total{outcome=\"stored\"}", 1.0),
        Map.entry("switchboard_messages_total{outcome=\"expired\"}", 0.0),
        Map.entry("switchboard_message_fork_duration_seconds_count", 2.0),
        Map.entry("switchboard_notify_sent_total", 0.0),
        Map.entry("switchboard_login_failures_total", 1.0),
        Map.entry("switchboard_logins_throttled_total", 0.0),
        Map.entry("switchboard_registrations_active", 1.0),
        Map.entry("switchboard_devices_active{kind=\"unprovisioned\"}", 1.0));
    PrometheusText after = scrapeUntil(p -> moved.entrySet().stream()
        .allMatch(e -> p.value(e.getKey()) - before.value(e.getKey()) >= e.getValue()));
    for (var e : moved.entrySet()) {
      assertEquals(e.getValue(), after.value(e.getKey()) - before.value(e.getKey()), e.getKey());
    }
    assertEquals(0.0, after.value("switchboard_sip_requests_total{method=\"MESSAGE\",status=\"5xx\"}"));

    // Types and names as Prometheus wants them; the meters of every part are there.
    assertEquals("histogram", type(after, "switchboard_sip_request_duration_seconds"));
    assertEquals("histogram", type(after, "switchboard_message_fork_duration_seconds"));
    assertEquals("histogram", type(after, "switchboard_store_operation_duration_seconds"));
    assertTrue(after.value("switchboard_store_operation_duration_seconds_count{pool=\"store\"}") > 0);
    assertEquals("counter", type(after, "switchboard_sip_requests"));
    assertEquals("gauge", type(after, "switchboard_registrations_active"));
    for (String pool : List.of("store", "hashing", "sip-send")) {
      assertTrue(after.has("switchboard_task_pool_queue_depth{pool=\"" + pool + "\"}"), pool);
    }
    for (String event : List.of("presence", "dialog", "presence.winfo")) {
      assertTrue(after.has("switchboard_subscriptions_active{event=\"" + event + "\"}"), event);
    }
    assertEquals(1.0, scrapeUntil(p -> p.value("switchboard_ami_connected") == 1.0).value("switchboard_ami_connected"));
    assertTrue(after.has("switchboard_event_loop_lag_seconds"));
    assertTrue(after.has("switchboard_click_to_call_total{outcome=\"answered\"}"));
    assertTrue(after.types.keySet().stream().anyMatch(f -> f.startsWith("jvm_memory_used")), "JVM meters");
    assertTrue(after.types.keySet().stream().anyMatch(f -> f.startsWith("vertx_http_server")), "Vert.x meters");
    after.labelNames.forEach((family, labels) -> {
      if (family.startsWith("switchboard_")) {
        assertTrue(labels.stream().noneMatch(PERSONAL_LABELS::contains), family + " " + labels);
      }
    });
    assertFalse(after.series.keySet().stream().anyMatch(s -> s.contains("bob") || s.contains("carol")),
        "no user names in any series");
  }

  @Test
  void notifiesAndSubscriptionsAreCountedAsTheWatcherSeesThem() throws Exception {
    WebClientSession hal = Api.login(vertx, switchboard, "hal", "hal-web-pw");
    assertEquals(200, hal.put("/api/presence/rules").sendJsonObject(new JsonObject().put("rules",
        new io.vertx.core.json.JsonArray().add(new JsonObject().put("watcher", "*").put("action", "allow"))))
        .await().statusCode());
    // A phone of hal's: his presence is open, so the state he sets is a change watchers are told of.
    Sipp.Result reg = Sipp.scenario("register.xml", sipPort).key("domain", DOMAIN).key("aor", "hal")
        .key("contact", "hal-desk").key("expires", "300").auth("hal", "hal-sip-pw").run();
    assertTrue(reg.passed(), reg::toString);
    String active = "switchboard_subscriptions_active{event=\"presence\"}";
    String sent = "switchboard_notify_sent_total";
    PrometheusText before = scrape();
    Sipp.Running watcher = Sipp.scenario("watch-2-then-unsubscribe.xml", sipPort).key("domain", DOMAIN)
        .key("from", "gus").key("to", "1008").key("expires", "600").key("event", "presence")
        .key("accept", "application/pidf+xml").auth("gus", "gus-sip-pw").start();
    PrometheusText watching = scrapeUntil(p -> p.value(active) - before.value(active) == 1
        && p.value(sent) - before.value(sent) >= 1);
    assertEquals(1.0, watching.value(active) - before.value(active), "one live presence subscription");
    assertEquals(1.0, watching.value(sent) - before.value(sent), "the first NOTIFY");
    assertEquals(200, hal.put("/api/presence/me").sendJsonObject(new JsonObject().put("state", "away")).await()
        .statusCode());
    Sipp.Result watched = watcher.await();
    assertTrue(watched.passed(), watched::toString);
    // On the wire: the first NOTIFY, the change, and the final one after Expires: 0.
    assertEquals(3, io.switchboard.core.testing.SippTrace.received(watched.messages(), "NOTIFY").size(),
        watched::toString);
    PrometheusText after = scrapeUntil(p -> p.value(sent) - before.value(sent) >= 3 && p.value(active) == before.value(active));
    assertEquals(3.0, after.value(sent) - before.value(sent));
    assertEquals(before.value(active), after.value(active), "the subscription ended");
  }

  private static String type(PrometheusText p, String family) {
    String t = p.types.get(family);
    return t != null ? t : p.types.get(family + "_total");
  }

  @Test
  void onlyTheTokenOrAnAdministratorMayRead() {
    HttpResponse<Buffer> none = get(client.get("/metrics"));
    assertEquals(401, none.statusCode(), none.bodyAsString());
    assertEquals("unauthorized", none.bodyAsJsonObject().getString("error"), none.bodyAsString());
    HttpResponse<Buffer> wrong = get(client.get("/metrics").putHeader("Authorization", "Bearer " + TOKEN + "x"));
    assertEquals(401, wrong.statusCode(), wrong.bodyAsString());
    assertEquals("unauthorized", wrong.bodyAsJsonObject().getString("error"), wrong.bodyAsString());
    assertTrue(wrong.getHeader("WWW-Authenticate").startsWith("Bearer"), wrong.headers().toString());
    assertEquals(401, get(client.get("/metrics").putHeader("Authorization", "Basic " + TOKEN)).statusCode());
    HttpResponse<Buffer> user = get(Api.login(vertx, switchboard, "erin", "erin-web-pw").get("/metrics"));
    assertEquals(403, user.statusCode(), user.bodyAsString());
    HttpResponse<Buffer> admin = get(Api.login(vertx, switchboard, "admin", "admin-password").get("/metrics"));
    assertEquals(200, admin.statusCode(), admin.bodyAsString());
    PrometheusText.parse(admin.bodyAsString());
  }

  @Test
  void theStatusPageChartsTheLiveSeries() throws Exception {
    int devicePort = FreePorts.udpAndTcp();
    Sipp.Result reg = Sipp.scenario("register-device.xml", sipPort).key("domain", DOMAIN).key("aor", "erin")
        .key("contact", "erin-desk").key("device", "127.0.0.1:" + devicePort).key("accept", "text/plain")
        .auth("erin", "erin-sip-pw").run();
    assertTrue(reg.passed(), reg::toString);
    try (Browser browser = new Browser(switchboard.web().actualPort())) {
      browser.size(390, 844); // a phone
      browser.login("admin", "admin-password");
      browser.open("#/admin/status");
      browser.find("status-charts");
      // The registrations chart: a line through several samples, the latest count in its legend.
      int registered = (int) scrape().value("switchboard_registrations_active");
      assertTrue(registered >= 1);
      browser.waitText("chart-registrations-legend", "registered: " + registered);
      browser.until(d -> {
        String path = d.findElement(Browser.id("chart-registrations-registrations")).getDomAttribute("d");
        return path != null && path.startsWith("M") && path.contains("L") ? path : null;
      }, "a registrations line with points");
      // SIP answer times of the traffic just sent, and the AMI link's state.
      browser.until(d -> {
        String path = d.findElement(Browser.id("chart-sip-sipP50Ms")).getDomAttribute("d");
        return path != null && path.startsWith("M") ? path : null;
      }, "a p50 line");
      assertTrue(browser.find("chart-sip-legend").getText().matches("(?s).*p50: [0-9.]+ ms.*p99: [0-9.]+ ms.*"),
          browser.find("chart-sip-legend").getText());
      browser.waitText("chart-ami-legend", "link: connected");
      browser.waitText("chart-messages-legend", "messages/min:");
      browser.waitText("chart-notifies-legend", "NOTIFY/s:");
      Number width = (Number) browser.script("return document.querySelector('[data-testid=status-charts]')"
          + ".getBoundingClientRect().width");
      Number page = (Number) browser.script("return document.documentElement.scrollWidth");
      assertTrue(page.intValue() <= 390, "no sideways scrolling on a phone: " + page + " (charts " + width + ")");
      browser.screenshot("status-charts-phone");
    }
  }
}
