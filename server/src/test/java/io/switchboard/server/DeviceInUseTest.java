package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.EventAddresses;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.Sipp;
import io.switchboard.core.testing.SippTrace;
import io.switchboard.core.testing.TestConfigs;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClientSession;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The device in use, end to end: bob's desk phone and mobile (SIPp, told apart by their User-Agent)
 * registered, a SIPp watcher of bob's presence, bob sending a MESSAGE from his mobile, the console's API.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class DeviceInUseTest {

  private static final String PIDF = "urn:ietf:params:xml:ns:pidf";
  private static final String RPID = "urn:ietf:params:xml:ns:pidf:rpid";
  private static final String DM = "urn:ietf:params:xml:ns:pidf:data-model";

  private Switchboard switchboard;
  private Vertx vertx;
  private int sipPort;

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) throws Exception {
    this.vertx = vertx;
    sipPort = FreePorts.udpAndTcp();
    switchboard = new Switchboard(vertx, TestConfigs.loopback(dir, sipPort, 0, Map.of("admin.password", "admin-password")),
        s -> { });
    switchboard.start().await();
    WebClientSession admin = Api.login(vertx, switchboard, "admin", "admin-password");
    for (String[] u : new String[][] {{"alice", "1001"}, {"bob", "1002"}, {"carol", "1003"}}) {
      assertEquals(201, admin.post("/api/users").sendJsonObject(new JsonObject().put("username", u[0])
          .put("displayName", u[0].substring(0, 1).toUpperCase() + u[0].substring(1)).put("extension", u[1])
          .put("password", u[0] + "-web-pw").put("sipPassword", u[0] + "-sip-pw")).await().statusCode());
    }
  }

  @AfterEach
  void stop() {
    switchboard.stop().await();
  }

  @Test
  void aWatchersPidfShowsOneTuplePerDeviceAndTheDeviceInUseMovesToTheMobileThatSentAMessage() throws Exception {
    WebClientSession alice = Api.login(vertx, switchboard, "alice", "alice-web-pw");
    WebClientSession bob = Api.login(vertx, switchboard, "bob", "bob-web-pw");
    assertEquals(201, bob.post("/api/buddies").sendJsonObject(new JsonObject().put("username", "alice")).await()
        .statusCode());
    int desk = FreePorts.udpAndTcp();
    int mobile = FreePorts.udpAndTcp();
    register("bob-desk", desk, "Yealink SIP-T54W 96.86.0.70");
    register("bob-mobile", mobile, "LinphoneAndroid/5.1.0 (Pixel 7) LinphoneSDK/5.2.0");
    assertEquals("desk-phone", presenceOf(alice, "bob").getString("device"), "no use yet: the desk phone");

    Promise<JsonObject> first = notified("alice", "bob", 1);
    Sipp.Running watcher = Sipp.scenario("watch-2-then-unsubscribe.xml", sipPort).key("domain", "switchboard.test")
        .key("from", "alice").key("to", "bob").key("expires", "600").key("event", "presence")
        .key("accept", "application/pidf+xml").auth("alice", "alice-sip-pw").start();
    first.future().await(30, TimeUnit.SECONDS);

    Sipp.Result fromMobile = Sipp.scenario("send-message-from-device.xml", sipPort).key("domain", "switchboard.test")
        .key("from", "bob").key("to", "carol").key("ctype", "text/plain;charset=UTF-8").key("body", "on my way")
        .key("contact", "bob-mobile").key("device", "127.0.0.1:" + mobile).auth("bob", "bob-sip-pw").run();
    assertEquals(202, SippTrace.lastStatus(fromMobile.messages()), fromMobile::toString);

    Sipp.Result watched = watcher.await();
    assertTrue(watched.passed(), watched::toString);
    List<SippTrace.Message> notifies = SippTrace.received(watched.messages(), "NOTIFY");
    Document before = parse(notifies.get(0).body());
    Document after = parse(notifies.get(1).body());
    assertEquals(List.of("desk-phone", "mobile"), tupleClasses(before), "one tuple per device, the one in use first");
    assertEquals(List.of("mobile", "desk-phone"), tupleClasses(after));
    assertEquals(List.of("mobile:active", "desk-phone:idle"), devices(after), "dm:device with its user input");
    assertEquals(List.of("1.0", "0.5"), contactPriorities(after));
    assertEquals("open", after.getElementsByTagNameNS(PIDF, "basic").item(0).getTextContent());
    // Each tuple names its device: the same deviceID as the dm:device.
    assertEquals(text(after.getElementsByTagNameNS(PIDF, "tuple"), DM, "deviceID"),
        text(after.getElementsByTagNameNS(DM, "device"), DM, "deviceID"));

    assertEquals("mobile", presenceOf(alice, "bob").getString("device"), "the console: on mobile");

    // Bob turns to his web console (its live channel says "focus"): he is at his desk, the desk phone again.
    assertEquals(201, alice.post("/api/buddies").sendJsonObject(new JsonObject().put("username", "bob")).await()
        .statusCode());
    Promise<JsonObject> atDesk = Promise.promise();
    vertx.eventBus().<JsonObject>consumer(EventAddresses.PRESENCE_UPDATE, m -> {
      JsonObject presence = m.body().getJsonObject("presence");
      if (m.body().getString("watcher").equals("alice") && m.body().getString("presentity").equals("bob")
          && "desk-phone".equals(presence.getString("device"))) {
        atDesk.tryComplete(presence);
      }
    });
    int port = switchboard.web().actualPort();
    HttpResponse<Buffer> login = Api.once(vertx, c -> c.post(port, "127.0.0.1", "/api/login")
        .sendJsonObject(new JsonObject().put("username", "bob").put("password", "bob-web-pw")));
    // Held while the socket is used: a client nobody references is shut down when collected (Vert.x 5).
    io.vertx.core.http.WebSocketClient sockets = vertx.createWebSocketClient();
    WebSocket console = sockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
        .setPort(port).setURI("/api/live").addHeader("Cookie", login.cookies().get(0).split(";")[0])
        .addHeader("Origin", "http://127.0.0.1:" + port)).await();
    console.writeTextMessage("focus").await();
    assertEquals("available", atDesk.future().await(20, TimeUnit.SECONDS).getString("state"));
    assertEquals("desk-phone", presenceOf(alice, "bob").getString("device"));
    console.close().await();
    sockets.close().await();
  }

  private void register(String contact, int port, String userAgent) throws Exception {
    Sipp.Result r = Sipp.scenario("register-device-ua.xml", sipPort).key("domain", "switchboard.test")
        .key("aor", "bob").key("contact", contact).key("device", "127.0.0.1:" + port).key("accept", "text/plain")
        .key("ua", userAgent).auth("bob", "bob-sip-pw").run();
    assertTrue(r.passed(), r::toString);
  }

  private static JsonObject presenceOf(WebClientSession c, String user) {
    HttpResponse<Buffer> r = c.get("/api/presence/" + user).send().await();
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getJsonObject("presence");
  }

  /** Completes with the n-th NOTIFY, counted from this call, that {@code watcher} acknowledged for {@code presentity}. */
  private Promise<JsonObject> notified(String watcher, String presentity, int n) {
    Promise<JsonObject> p = Promise.promise();
    AtomicInteger seen = new AtomicInteger();
    vertx.eventBus().<JsonObject>consumer(EventAddresses.PRESENCE_NOTIFIED, m -> {
      if (m.body().getString("watcher").equals(watcher) && m.body().getString("presentity").equals(presentity)
          && seen.incrementAndGet() == n) {
        p.tryComplete(m.body());
      }
    });
    return p;
  }

  private static Document parse(String body) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    return f.newDocumentBuilder().parse(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
  }

  private static List<String> tupleClasses(Document d) {
    return text(d.getElementsByTagNameNS(PIDF, "tuple"), RPID, "class");
  }

  private static List<String> devices(Document d) {
    NodeList devices = d.getElementsByTagNameNS(DM, "device");
    List<String> out = new ArrayList<>();
    for (int i = 0; i < devices.getLength(); i++) {
      Element e = (Element) devices.item(i);
      out.add(e.getElementsByTagNameNS(RPID, "class").item(0).getTextContent() + ":"
          + e.getElementsByTagNameNS(RPID, "user-input").item(0).getTextContent());
    }
    return out;
  }

  private static List<String> contactPriorities(Document d) {
    NodeList contacts = d.getElementsByTagNameNS(PIDF, "contact");
    List<String> out = new ArrayList<>();
    for (int i = 0; i < contacts.getLength(); i++) {
      out.add(((Element) contacts.item(i)).getAttribute("priority"));
    }
    return out;
  }

  /** The text of each element's first child {@code ns:name}. */
  private static List<String> text(NodeList elements, String ns, String name) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < elements.getLength(); i++) {
      out.add(((Element) elements.item(i)).getElementsByTagNameNS(ns, name).item(0).getTextContent());
    }
    return out;
  }
}
