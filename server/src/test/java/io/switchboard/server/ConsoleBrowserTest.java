package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.Sipp;
import io.switchboard.core.testing.SippTrace;
import io.switchboard.core.testing.TestConfigs;
import io.switchboard.telephony.FakeAsterisk;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClientSession;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The web console in a real headless Chromium against a whole Switchboard, with real peers: SIPp
 * phones on loopback and a test-side Asterisk replaying recorded AMI sessions. One server and one
 * browser for the class; each test logs in as users of its own.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 240, timeUnit = TimeUnit.SECONDS)
class ConsoleBrowserTest {

  private static final String DOMAIN = "switchboard.test";
  private static Switchboard switchboard;
  private static FakeAsterisk asterisk;
  private static Browser browser;
  private static WebClientSession admin;
  private static Vertx vertx;
  private static int sipPort;
  private static Path dir;

  @BeforeAll
  static void start(Vertx v) throws Exception {
    vertx = v;
    dir = Files.createTempDirectory("console-test");
    asterisk = new FakeAsterisk("uc", "ucsecret").reply("Originate", "action-Originate.ami");
    sipPort = FreePorts.udpAndTcp();
    Map<String, String> settings = new HashMap<>(Map.of("admin.password", "admin-password", "im.fork-timeout", "3",
        "ami.host", "127.0.0.1", "ami.port", String.valueOf(asterisk.port()), "ami.username", "uc",
        "ami.secret", "ucsecret"));
    switchboard = new Switchboard(vertx, TestConfigs.loopback(dir, sipPort, 0, settings), s -> { });
    switchboard.start().await();
    admin = Api.login(vertx, switchboard, "admin", "admin-password");
    String[][] users = {{"alice", "1001", "Alice"}, {"bob", "1002", "Bob"}, {"carol", "1003", "Carol"},
        {"dave", "1004", "Dave"}, {"frank", "1006", "Frank"}, {"hank", "1008", "Hank"}, {"ivy", "1009", "Ivy"},
        {"judy", "1010", "Judy"}, {"kim", "1011", "Kim"}, {"lou", "1012", "Lou"},
        {"eve", "1005", "<img src=x onerror=window.__xss=1><script>__xss=2</script>"}};
    for (String[] u : users) {
      var created = admin.post("/api/users").sendJsonObject(new JsonObject().put("username", u[0])
          .put("displayName", u[2]).put("extension", u[1]).put("password", u[0] + "-web-pw")
          .put("sipPassword", u[0] + "-sip-pw")).await();
      assertEquals(201, created.statusCode(), created.bodyAsString());
    }
    browser = new Browser(switchboard.web().actualPort());
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.close();
    }
    switchboard.stop().await();
    asterisk.close();
  }

  private static Sipp.Result register(String user, String contact, int devicePort) throws Exception {
    Sipp.Result reg = Sipp.scenario("register-device.xml", sipPort).key("domain", DOMAIN).key("aor", user)
        .key("contact", contact).key("device", "127.0.0.1:" + devicePort).key("accept", "text/plain")
        .auth(user, user + "-sip-pw").run();
    assertTrue(reg.passed(), reg::toString);
    return reg;
  }

  /** Buddies see each other when each has the other on their list. */
  private static void buddies(String user, String buddy) {
    WebClientSession s = Api.login(vertx, switchboard, user, user + "-web-pw");
    assertEquals(201, s.post("/api/buddies").sendJsonObject(new JsonObject().put("username", buddy)).await()
        .statusCode());
  }

  @Test
  void aBuddysStateChangesLiveFromPhoneApiAndAsterisk() throws Exception {
    buddies("bob", "alice"); // so alice may see bob
    browser.login("alice", "alice-web-pw");
    browser.type("buddy-add-username", "bob");
    browser.type("buddy-add-group", "Team");
    browser.click("buddy-add-submit");
    browser.waitAttribute("buddy-state-bob", "data-state", "offline");
    assertEquals("offline", browser.find("buddy-state-bob").getText());

    // bob's desk phone registers: available
    int devicePort = FreePorts.udpAndTcp();
    register("bob", "bob-desk", devicePort);
    browser.waitAttribute("buddy-state-bob", "data-state", "available");
    assertEquals("available", browser.find("buddy-state-bob").getText());

    // bob sets away with a note in his own console (the API)
    WebClientSession bob = Api.login(vertx, switchboard, "bob", "bob-web-pw");
    assertEquals(200, bob.put("/api/presence/me").sendJsonObject(new JsonObject().put("state", "away")
        .put("note", "at lunch")).await().statusCode());
    browser.waitAttribute("buddy-state-bob", "data-state", "away");
    browser.waitText("buddy-note-bob", "at lunch");

    // Asterisk bridges a call of bob's (1002): on the phone, then back to away when it ends
    String call = "02-call-answered.ami";
    int next = asterisk.replayStep(call, 0, "Event: DialState", 1);
    browser.waitAttribute("buddy-state-bob", "data-state", "ringing");
    next = asterisk.replayStep(call, next, "Event: BridgeEnter", 2);
    browser.waitAttribute("buddy-state-bob", "data-state", "on-the-phone");
    assertEquals("on the phone", browser.find("buddy-state-bob").getText());
    browser.screenshot("buddies-on-the-phone");
    asterisk.replayStep(call, next, null, 0);
    browser.waitAttribute("buddy-state-bob", "data-state", "away");
    assertTrue(browser.driver().getPageSource().contains("Team"), "the group the user chose");
  }

  @Test
  void chatReachesTheDeskPhoneAndThePhonesAnswerAppearsLive() throws Exception {
    int devicePort = FreePorts.udpAndTcp();
    Sipp.Running davePhone = Sipp.device("receive-message.xml", devicePort, 1).start();
    register("dave", "dave-desk", devicePort);
    browser.login("carol", "carol-web-pw");
    browser.open("#/chat/dave");
    browser.type("chat-input", "Hello Dave, from the browser");
    browser.find("chat-input").sendKeys("\n"); // Enter sends
    browser.waitText("chat-log", "Hello Dave, from the browser");
    browser.waitText("message-state", "delivered");
    Sipp.Result phone = davePhone.await();
    assertTrue(phone.passed(), phone::toString);
    assertEquals("Hello Dave, from the browser", SippTrace.received(phone.messages(), "MESSAGE").get(0).body().strip());

    // dave types on his desk phone: carol has no phone, her open console takes it (200) and shows it
    Sipp.Result typed = Sipp.scenario("send-message.xml", sipPort).key("domain", DOMAIN).key("from", "dave")
        .key("to", "carol").key("ctype", "text/plain").key("body", "Typed on my desk phone").auth("dave", "dave-sip-pw")
        .run();
    assertEquals(200, SippTrace.lastStatus(typed.messages()), typed::toString);
    browser.waitText("chat-log", "Typed on my desk phone");
    browser.screenshot("chat");
  }

  @Test
  void scriptInMessagesAndNamesIsShownAsText() throws Exception {
    buddies("eve", "carol");
    browser.login("carol", "carol-web-pw");
    browser.type("buddy-add-username", "eve");
    browser.click("buddy-add-submit");
    browser.waitText("buddy-open-eve", "<img src=x onerror=window.__xss=1><script>__xss=2</script>");
    String attack = "<script>window.__xss='chat'</script><img src=x onerror=\"window.__xss='img'\">";
    Sipp.Result sent = Sipp.scenario("send-message.xml", sipPort).key("domain", DOMAIN).key("from", "eve")
        .key("to", "carol").key("ctype", "text/plain").key("body", attack).auth("eve", "eve-sip-pw").run();
    assertEquals(200, SippTrace.lastStatus(sent.messages()), sent::toString);
    browser.waitText("unread-eve", "1");
    browser.click("buddy-open-eve");
    browser.waitText("chat-log", attack);
    browser.type("chat-input", "<b>not bold</b><script>window.__xss='mine'</script>");
    browser.click("chat-send");
    browser.waitText("chat-log", "<b>not bold</b><script>window.__xss='mine'</script>");
    assertNull(browser.script("return window.__xss"), "no script from data ran");
    assertTrue(browser.driver().findElements(org.openqa.selenium.By.cssSelector("#view script, #view img, #view b"))
        .isEmpty(), "no element was made from data");
    browser.screenshot("chat-script-as-text");
  }

  @Test
  void theCallButtonOriginatesAndShowsTheOutcome() throws Exception {
    browser.login("alice", "alice-web-pw");
    browser.open("#/chat/bob");
    int before = (int) asterisk.received().stream().filter(a -> "originate".equalsIgnoreCase(a.get("action"))).count();
    browser.click("call-button");
    browser.waitText("call-status", "ringing your phone");
    asterisk.awaitActions("Originate", before + 1).get(20, TimeUnit.SECONDS);
    Map<String, String> originate = asterisk.received().stream()
        .filter(a -> "originate".equalsIgnoreCase(a.get("action"))).skip(before).findFirst().orElseThrow();
    assertEquals("PJSIP/1001", originate.get("channel"));
    assertEquals("1002", originate.get("exten"));
    asterisk.replayReplacing("06-originate.ami", "ActionID: orig-1", "ActionID: " + originate.get("actionid"));
    browser.waitText("call-status", "Connected");
    browser.screenshot("call-connected");

    browser.click("call-button");
    asterisk.awaitActions("Originate", before + 2).get(20, TimeUnit.SECONDS);
    Map<String, String> second = asterisk.received().stream()
        .filter(a -> "originate".equalsIgnoreCase(a.get("action"))).skip(before + 1).findFirst().orElseThrow();
    asterisk.replayReplacing("08-originate-failed.ami", "ActionID: orig-2", "ActionID: " + second.get("actionid"));
    browser.waitText("call-status", "not answered");

    // a user without a phone is told why, in words
    browser.login("frank", "frank-web-pw");
    admin.patch("/api/users/frank").sendJsonObject(new JsonObject().putNull("extension")).await();
    browser.open("#/chat/bob");
    browser.click("call-button");
    browser.waitText("call-status", "failed");
  }

  @Test
  void aPlainUserIsToldAdminPagesAreForbidden() {
    browser.login("carol", "carol-web-pw");
    assertTrue(!browser.find("status-select").getText().isEmpty());
    browser.open("#/admin/users");
    browser.waitText("admin-error", "Not allowed (403)");
    browser.screenshot("admin-forbidden");
  }

  @Test
  void aSessionThatEndsSendsTheUserToLogin() {
    browser.login("frank", "frank-web-pw");
    assertEquals(200, admin.patch("/api/users/frank").sendJsonObject(new JsonObject().put("enabled", false)).await()
        .statusCode());
    browser.waitText("login-message", "session has ended");
    browser.find("login-username");
    assertEquals(200, admin.patch("/api/users/frank").sendJsonObject(new JsonObject().put("enabled", true)).await()
        .statusCode());
    browser.login("frank", "frank-web-pw");
    browser.click("logout");
    browser.waitText("login-message", "logged out");
  }

  @Test
  void anAdministratorManagesUsersAndSeesTheStatus() {
    browser.login("admin", "admin-password");
    browser.open("#/admin/users");
    browser.waitText("user-table", "carol");
    browser.type("user-new-username", "gina");
    browser.type("user-new-display-name", "Gina <i>Admin</i>");
    browser.type("user-new-extension", "1007");
    browser.type("user-new-password", "gina-web-pw");
    browser.click("user-create");
    browser.waitText("admin-notice", "Created gina");
    browser.waitText("user-gina", "Gina <i>Admin</i>");

    // reset her password, then disable her: the API agrees
    browser.click("user-edit-gina");
    browser.type("user-edit-password", "gina-new-pw");
    browser.type("user-edit-email", "gina@example.test");
    browser.click("user-edit-notify-missed");
    browser.click("user-save");
    browser.waitText("admin-notice", "Saved gina");
    JsonObject gina = admin.get("/api/users/gina").send().await().bodyAsJsonObject();
    assertEquals("gina@example.test", gina.getString("email"), gina::encode);
    assertEquals(true, gina.getBoolean("notifyMissed"), gina::encode);
    Api.login(vertx, switchboard, "gina", "gina-new-pw");
    browser.click("user-toggle-gina");
    browser.waitText("user-enabled-gina", "disabled");
    assertEquals(false, admin.get("/api/users/gina").send().await().bodyAsJsonObject().getBoolean("enabled"));
    browser.screenshot("admin-users");

    // a duplicate is refused in words
    browser.type("user-new-username", "gina");
    browser.type("user-new-password", "whatever-pw");
    browser.click("user-create");
    browser.waitText("admin-error", "(409)");

    // a failed login is listed for the admin, without the password
    var guesser = io.vertx.ext.web.client.WebClient.create(vertx);
    assertEquals(401, guesser.post(switchboard.web().actualPort(), "127.0.0.1", "/api/login")
        .sendJsonObject(new JsonObject().put("username", "kim").put("password", "kim-guessed-pw-7")).await().statusCode());
    guesser.close();

    browser.open("#/admin/status");
    browser.waitText("status-state-store", "up");
    browser.waitText("status-state-ami", "up");
    browser.waitText("status-state-sip", "up");
    browser.waitText("security-events", "LOGIN_FAILED");
    String events = browser.find("security-events").getText();
    assertTrue(events.contains("kim") && events.contains("127.0.0.1"), events);
    assertTrue(events.contains("ADMIN_CHANGE") && events.contains("created user gina"), events);
    assertTrue(!events.contains("kim-guessed-pw-7"), "no password on the page");
    browser.screenshot("admin-status");

    // a log level set on the status page is the server's at once (a logger of its own: no other test's)
    browser.type("log-level-logger", "io.switchboard.console-test");
    browser.click("log-level-set");
    browser.waitText("log-level-io.switchboard.console-test", "DEBUG");
    assertEquals(ch.qos.logback.classic.Level.DEBUG, ((ch.qos.logback.classic.Logger)
        org.slf4j.LoggerFactory.getLogger("io.switchboard.console-test")).getLevel());
  }

  @Test
  void onAPhoneSizedScreenTheBuddyListAndChatEachTakeTheScreen() {
    buddies("bob", "dave");
    browser.login("dave", "dave-web-pw");
    try {
      browser.size(390, 844);
      browser.open("#/buddies");
      browser.type("buddy-add-username", "bob");
      browser.click("buddy-add-submit");
      browser.find("buddy-bob");
      browser.screenshot("phone-buddies");
      browser.click("buddy-open-bob");
      browser.find("chat-input");
      assertTrue(!browser.find("chat-log").isDisplayed() || !browser.driver()
          .findElement(org.openqa.selenium.By.id("buddies-pane")).isDisplayed(), "the chat has the screen to itself");
      browser.type("chat-input", "from my PDA");
      browser.click("chat-send");
      browser.waitText("chat-log", "from my PDA");
      browser.screenshot("phone-chat");
    } finally {
      browser.size(1280, 900);
    }
  }

  @Test
  void afterALostConnectionThePageCatchesUpOnWhatItMissed() throws Exception {
    buddies("bob", "carol");
    browser.login("carol", "carol-web-pw");
    browser.open("#/chat/bob");
    browser.find("chat-input");
    browser.waitAttribute("live-state", "data-state", "open");
    browser.offline(true);
    try {
      browser.waitAttribute("live-state", "data-state", "closed");
      WebClientSession bob = Api.login(vertx, switchboard, "bob", "bob-web-pw");
      assertEquals(202, bob.post("/api/messages").sendJsonObject(new JsonObject().put("to", "carol")
          .put("body", "sent while you were away")).await().statusCode());
    } finally {
      browser.offline(false);
    }
    browser.waitAttribute("live-state", "data-state", "open");
    browser.waitText("chat-log", "sent while you were away");
  }

  @Test
  void ownStateDeliveryStateAndRooms() throws Exception {
    browser.login("hank", "hank-web-pw");
    browser.type("buddy-add-username", "ivy");
    browser.click("buddy-add-submit");
    browser.find("buddy-ivy");

    // hank (his desk phone registered) sets his own state; ivy, on his list, sees it
    register("hank", "hank-desk", FreePorts.udpAndTcp());
    new org.openqa.selenium.support.ui.Select(browser.find("status-select")).selectByValue("busy");
    browser.waitText("call-status", "Your state is now busy");
    browser.type("status-note", "in a workshop");
    browser.click("status-save");
    WebClientSession ivy = Api.login(vertx, switchboard, "ivy", "ivy-web-pw");
    JsonObject seen = ivy.get("/api/presence/hank").send().await().bodyAsJsonObject();
    assertEquals("busy", seen.getJsonObject("presence").getString("state"), seen.encode());

    // a message to ivy, who has no phone, is stored; when her phone registers it is delivered
    browser.click("buddy-open-ivy");
    browser.type("chat-input", "are you there?");
    browser.click("chat-send");
    browser.waitAttribute("message-state", "data-state", "STORED");
    assertEquals("stored for later", browser.find("message-state").getText());
    int devicePort = FreePorts.udpAndTcp();
    Sipp.Running ivyPhone = Sipp.device("receive-message.xml", devicePort, 1).start();
    register("ivy", "ivy-desk", devicePort);
    browser.waitAttribute("message-state", "data-state", "DELIVERED");
    assertEquals("delivered", browser.find("message-state").getText());
    assertTrue(ivyPhone.await().passed());

    // a room: created in the console, a member's message arrives live
    browser.open("#/rooms");
    browser.type("room-name", "workshop");
    browser.type("room-members", "ivy");
    browser.click("room-create");
    browser.find("room-workshop");
    browser.driver().findElement(org.openqa.selenium.By.cssSelector("[data-testid='room-workshop'] a")).click();
    browser.type("chat-input", "agenda at 10");
    browser.click("chat-send");
    browser.waitText("chat-log", "agenda at 10");
    assertEquals(200, ivy.post("/api/rooms/workshop/messages").sendJsonObject(new JsonObject().put("body", "on my way"))
        .await().statusCode());
    browser.waitText("chat-log", "on my way");
    browser.screenshot("room");
  }

  @Test
  void aPendingWatcherIsAllowedOnThePrivacyPage() throws Exception {
    browser.login("judy", "judy-web-pw"); // first: her console going online is a change of its own
    io.vertx.core.Promise<JsonObject> pending = io.vertx.core.Promise.promise();
    var consumer = vertx.eventBus().<JsonObject>consumer(io.switchboard.api.EventAddresses.PRESENCE_WATCHER, m -> {
      if ("judy".equals(m.body().getString("presentity")) && "pending".equals(m.body().getString("state"))) {
        pending.tryComplete(m.body());
      }
    });
    Sipp.Running watcher = Sipp.scenario("watch-2.xml", sipPort).key("domain", DOMAIN).key("from", "dave")
        .key("to", "judy").key("expires", "600").key("event", "presence").key("accept", "application/pidf+xml")
        .auth("dave", "dave-sip-pw").start();
    pending.future().await(20, TimeUnit.SECONDS);
    consumer.unregister();

    browser.open("#/privacy");
    browser.waitText("pending-dave", "dave");
    browser.screenshot("privacy-pending");
    browser.click("allow-dave");
    browser.waitText("pending", "Nobody is waiting");
    assertEquals("allow", new org.openqa.selenium.support.ui.Select(browser.find("rule-dave"))
        .getFirstSelectedOption().getDomAttribute("value"));
    Sipp.Result watched = watcher.await();
    assertTrue(watched.passed(), watched::toString);
    assertTrue(SippTrace.received(watched.messages(), "NOTIFY").get(1).header("Subscription-State").startsWith("active"),
        watched.messages());
  }

  @Test
  void anAdministratorProvisionsADeskPhoneAndItsFileIsServed() throws Exception {
    browser.login("admin", "admin-password");
    browser.open("#/admin/users");
    browser.click("user-devices-alice");
    browser.waitText("device-table", "No devices yet");
    new org.openqa.selenium.support.ui.Select(browser.find("device-kind")).selectByValue("desk-phone");
    new org.openqa.selenium.support.ui.Select(browser.find("device-vendor")).selectByValue("yealink");
    browser.type("device-model", "T46U");
    browser.type("device-mac", "00:15:65:AA:BB:CC");
    browser.click("device-add");
    browser.waitText("admin-notice", "Added yealink T46U for alice");
    browser.waitText("device-table", "001565aabbcc");
    String url = browser.driver().findElement(org.openqa.selenium.By.cssSelector("#view table a[href*='/provision/']"))
        .getDomAttribute("href");
    browser.screenshot("admin-devices");

    java.net.URI u = java.net.URI.create(url);
    var file = io.vertx.ext.web.client.WebClient.create(vertx)
        .get(switchboard.provisioning().port(), "127.0.0.1", u.getRawPath() + "001565aabbcc.cfg").send().await();
    assertEquals(200, file.statusCode(), file.bodyAsString());
    assertTrue(file.bodyAsString().contains("account.1.user_name = 1001"), file.bodyAsString());

    // what is registered now: the phone's IM account registers with the device credentials of its file
    Map<String, String> cfg = PhoneFileParsers.keyValues(file.bodyAsString());
    Sipp.Result reg = Sipp.scenario("register-device.xml", sipPort).key("domain", DOMAIN).key("aor", "alice")
        .key("contact", "alice-yealink").key("device", "127.0.0.1:" + FreePorts.udpAndTcp()).key("accept", "text/plain")
        .auth(cfg.get("account.2.auth_name"), cfg.get("account.2.password")).run();
    assertTrue(reg.passed(), reg::toString);
    browser.load("#/admin/devices/alice");
    browser.waitText("registrations", "alice-yealink");
    // The devices table may render after the registrations list: wait for its row, as for any element.
    String id = browser.until(d -> d.findElements(org.openqa.selenium.By.cssSelector("[data-testid^='device-registered-']"))
        .stream().findFirst().map(e -> e.getDomAttribute("data-testid")).orElse(null), "a device-registered- cell")
        .substring("device-registered-".length());
    browser.waitText("device-registered-" + id, "yes");
    browser.open("#/admin/status");
    browser.waitText("registrations", "alice-yealink");
    browser.screenshot("admin-status-registrations");
    browser.open("#/admin/devices/alice");
    browser.find("device-mac");

    // a bad MAC is refused in words, naming the field
    browser.type("device-mac", "not-a-mac");
    browser.click("device-add");
    browser.waitText("admin-error", "mac");
  }

  @Test
  void historyPagesBackInTime() {
    WebClientSession lou = Api.login(vertx, switchboard, "lou", "lou-web-pw");
    for (int i = 1; i <= 35; i++) {
      assertEquals(202, lou.post("/api/messages").sendJsonObject(new JsonObject().put("to", "kim")
          .put("body", "note " + i + ".")).await().statusCode());
    }
    browser.login("kim", "kim-web-pw");
    browser.open("#/chat/lou");
    browser.waitText("chat-log", "note 35.");
    assertTrue(!browser.find("chat-log").getText().contains("note 5."), "only the newest page at first");
    browser.click("chat-older");
    browser.waitText("chat-log", "note 1.");
    browser.until(d -> d.findElements(Browser.id("chat-older")).stream().noneMatch(e -> e.isDisplayed()) ? Boolean.TRUE
        : null, "no older page left");
    assertEquals(35, browser.driver().findElements(Browser.id("message")).size());
  }

  @Test
  void anAdministratorImportsACsvAndReadsTheReport() {
    browser.login("admin", "admin-password");
    browser.open("#/admin/import");
    browser.type("import-text", "username,displayName,extension,password,kind,vendor,model,mac\n"
        + "mona,Mona,2101,mona-web-pw,desk-phone,yealink,T46U,00:15:65:00:00:41\n"
        + "ned,Ned,2102,ned-web-pw,desk-phone,yealink,T46U,not-a-mac\n");
    browser.click("import-submit");
    browser.waitText("import-errors", "mac");
    assertTrue(browser.find("import-report").getText().contains("Nothing was imported"));
    assertTrue(browser.find("import-errors").getText().contains("3"), "the line of the bad row");
    browser.screenshot("admin-import-errors");
    browser.type("import-text", "username,displayName,extension,password,kind,vendor,model,mac\n"
        + "mona,Mona,2101,mona-web-pw,desk-phone,yealink,T46U,00:15:65:00:00:41\n"
        + "ned,Ned,2102,ned-web-pw,,,,\n");
    browser.click("import-submit");
    browser.waitText("import-result", "2 user(s), 1 device(s)");
    assertEquals(200, admin.get("/api/users/ned").send().await().statusCode());
  }

  @Test
  void anApiTokenMadeInTheConsoleWorksForAScriptUntilRevoked() {
    var created = admin.post("/api/users").sendJsonObject(new JsonObject().put("username", "mia")
        .put("displayName", "Mia").put("extension", "1013").put("password", "mia-web-pw")).await();
    assertEquals(201, created.statusCode(), created.bodyAsString());
    browser.login("mia", "mia-web-pw");
    browser.open("#/privacy");
    browser.type("token-name", "nightly report");
    browser.click("token-create");
    String secret = browser.find("token-secret").getDomProperty("value");
    assertTrue(secret != null && secret.startsWith("sbt_"), String.valueOf(secret));
    browser.waitText("token-nightly report", "never used");

    // A script: no cookie, only the token.
    io.vertx.ext.web.client.WebClient script = io.vertx.ext.web.client.WebClient.create(vertx);
    int port = switchboard.web().actualPort();
    var me = script.get(port, "127.0.0.1", "/api/me").putHeader("Authorization", "Bearer " + secret).send().await();
    assertEquals(200, me.statusCode(), me.bodyAsString());
    assertEquals("mia", me.bodyAsJsonObject().getString("username"));
    // The console shows the use once the list is read again.
    browser.load("#/privacy");
    browser.waitText("token-nightly report", "last used");

    browser.click("token-revoke-nightly report");
    browser.waitText("tokens", "No tokens.");
    var refused = script.get(port, "127.0.0.1", "/api/me").putHeader("Authorization", "Bearer " + secret).send().await();
    assertEquals(401, refused.statusCode(), refused.bodyAsString());
  }

  /** A search finds an old message among newer ones; its hit opens the conversation at it, highlighted. */
  @Test
  void aSearchHitOpensItsConversationAtTheMessage() {
    for (String u : new String[] {"sam", "tess"}) {
      assertEquals(201, admin.post("/api/users").sendJsonObject(new JsonObject().put("username", u)
          .put("displayName", u.toUpperCase()).put("password", u + "-web-pw")).await().statusCode());
    }
    WebClientSession tess = Api.login(vertx, switchboard, "tess", "tess-web-pw");
    assertEquals(202, tess.post("/api/messages").sendJsonObject(new JsonObject().put("to", "sam")
        .put("body", "The quarterly Budget is in the shared folder")).await().statusCode());
    for (int i = 0; i < 40; i++) { // more than the conversation's first page
      assertEquals(202, tess.post("/api/messages").sendJsonObject(new JsonObject().put("to", "sam")
          .put("body", "later news " + i)).await().statusCode());
    }
    browser.login("sam", "sam-web-pw");
    browser.click("nav-search");
    browser.type("search-input", "budget QUARTERLY");
    browser.click("search-submit");
    browser.waitText("search-hits", "The quarterly Budget is in the shared folder");
    assertEquals(1, browser.driver().findElements(Browser.id("search-hit")).size(), "one hit");
    browser.click("search-hit-open");
    browser.waitText("message-hit", "The quarterly Budget is in the shared folder");
    assertTrue(browser.driver().getCurrentUrl().endsWith("#/chat/tess"), browser.driver().getCurrentUrl());
    browser.screenshot("search-hit");
    browser.click("chat-latest");
    browser.waitText("chat-log", "later news 39");

    browser.open("#/search");
    browser.type("search-input", "holiday");
    browser.click("search-submit");
    browser.waitText("search-none", "Nothing found.");
  }
}
