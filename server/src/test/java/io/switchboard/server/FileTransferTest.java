package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.Sipp;
import io.switchboard.core.testing.SippTrace;
import io.switchboard.core.testing.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClientSession;
import io.vertx.ext.web.multipart.MultipartForm;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files in chats over the REST API and SIP: uploaded, sent to a SIPp phone as a link with the file's token that
 * downloads the same bytes, refused to strangers, served with safe headers and a checked type, and gone with
 * their uploader.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
class FileTransferTest {

  private static final int MAX_FILE = 600_000;
  private static final Pattern LINK = Pattern.compile("(http://\\S+/f/([A-Za-z0-9_-]{22})\\?t=([A-Za-z0-9_-]{22}))");

  private Switchboard switchboard;
  private WebClientSession admin;
  private Vertx vertx;
  private int sipPort;
  private int webPort;

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) throws Exception {
    this.vertx = vertx;
    sipPort = FreePorts.udpAndTcp();
    webPort = FreePorts.udpAndTcp();
    switchboard = new Switchboard(vertx, TestConfigs.loopback(dir, sipPort, webPort,
        Map.of("admin.password", "admin-password", "im.fork-timeout", "3", "im.max-file-size", String.valueOf(MAX_FILE),
            "web.public-url", "http://127.0.0.1:" + webPort + "/")), s -> { });
    switchboard.start().await();
    admin = Api.login(vertx, switchboard, "admin", "admin-password");
    for (String[] u : new String[][] {{"alice", "1001"}, {"bob", "1002"}, {"carol", "1003"}}) {
      HttpResponse<Buffer> r = admin.post("/api/users").sendJsonObject(new JsonObject().put("username", u[0])
          .put("displayName", u[0].substring(0, 1).toUpperCase() + u[0].substring(1)).put("extension", u[1])
          .put("password", u[0] + "-web-pw").put("sipPassword", u[0] + "-sip-pw")).await();
      assertEquals(201, r.statusCode(), r.bodyAsString());
    }
  }

  @AfterEach
  void stop() {
    switchboard.stop().await();
  }

  private HttpResponse<Buffer> upload(WebClientSession as, String field, String target, String name, String type,
      byte[] bytes) {
    MultipartForm form = MultipartForm.create();
    if (field != null) {
      form.attribute(field, target);
    }
    form.binaryFileUpload("file", name, Buffer.buffer(bytes), type);
    return as.post("/api/messages/files").putHeader("X-Requested-With", "XMLHttpRequest").sendMultipartForm(form).await();
  }

  private HttpResponse<Buffer> fetch(String pathAndQuery) {
    return Api.once(vertx, c -> c.get(webPort, "127.0.0.1", pathAndQuery).send());
  }

  private static byte[] pdf(int size) {
    byte[] bytes = new byte[size];
    new Random(42).nextBytes(bytes);
    System.arraycopy("%PDF-1.7\n".getBytes(StandardCharsets.US_ASCII), 0, bytes, 0, 9);
    return bytes;
  }

  @Test
  void aFileReachesThePhoneAsALinkThatDownloadsTheSameBytes() throws Exception {
    int devicePort = FreePorts.udpAndTcp();
    Sipp.Running bobPhone = Sipp.device("receive-message.xml", devicePort, 1).start();
    Sipp.Result reg = Sipp.scenario("register-device.xml", sipPort).key("domain", "switchboard.test").key("aor", "bob")
        .key("contact", "bob-desk").key("device", "127.0.0.1:" + devicePort).key("accept", "text/plain")
        .auth("bob", "bob-sip-pw").run();
    assertTrue(reg.passed(), reg::toString);

    WebClientSession alice = Api.login(vertx, switchboard, "alice", "alice-web-pw");
    byte[] bytes = pdf(550_000); // three GridFS chunks: the download is sent chunk by chunk
    HttpResponse<Buffer> sent = upload(alice, "to", "1002", "report.pdf", "application/pdf", bytes);
    assertEquals(201, sent.statusCode(), sent.bodyAsString());
    JsonObject message = sent.bodyAsJsonObject();
    assertEquals("DELIVERED", message.getString("state"), message.encode());
    JsonObject file = message.getJsonObject("file");
    assertEquals("report.pdf", file.getString("name"));
    assertEquals(550_000, file.getLong("size"));
    assertEquals("application/pdf", file.getString("type"));

    Sipp.Result phone = bobPhone.await();
    assertTrue(phone.passed(), phone::toString);
    String text = SippTrace.received(phone.messages(), "MESSAGE").get(0).body().strip();
    Matcher link = LINK.matcher(text);
    assertTrue(link.find(), text);
    assertTrue(text.startsWith("Alice sent report.pdf (550 KB): http://127.0.0.1:" + webPort + "/f/"), text);
    assertEquals(file.getString("url"), link.group(1), "the SIP text carries the message's url");
    assertEquals(file.getString("id"), link.group(2));
    String id = link.group(2);
    String token = link.group(3);

    // The phone's link, without a session.
    HttpResponse<Buffer> got = Api.once(vertx, c -> c.getAbs(link.group(1)).send());
    assertEquals(200, got.statusCode(), got.bodyAsString());
    assertArrayEquals(bytes, got.body().getBytes());
    assertEquals("550000", got.getHeader("Content-Length"));
    assertEquals("application/pdf", got.getHeader("Content-Type"));
    assertTrue(got.getHeader("Content-Disposition").startsWith("attachment; filename=\"report.pdf\""),
        got.getHeader("Content-Disposition"));
    assertEquals("nosniff", got.getHeader("X-Content-Type-Options"));

    // The participants with their sessions; nobody else, with or without one.
    WebClientSession bob = Api.login(vertx, switchboard, "bob", "bob-web-pw");
    assertArrayEquals(bytes, bob.get("/f/" + id).send().await().body().getBytes());
    assertEquals(200, alice.get("/f/" + id).send().await().statusCode());
    WebClientSession carol = Api.login(vertx, switchboard, "carol", "carol-web-pw");
    assertEquals(403, carol.get("/f/" + id).send().await().statusCode(), "a stranger with a session");
    assertEquals(403, admin.get("/f/" + id).send().await().statusCode(), "an administrator is not a participant");
    assertEquals(403, fetch("/f/" + id).statusCode(), "no session, no token");
    String wrong = (token.charAt(0) == 'A' ? "B" : "A") + token.substring(1);
    assertEquals(403, fetch("/f/" + id + "?t=" + wrong).statusCode(), "a token one character off");
    assertEquals(404, fetch("/f/AAAAAAAAAAAAAAAAAAAAAA?t=" + token).statusCode(), "another file's id with this token");

    // History lists it with its file, as the upload answered.
    JsonArray history = alice.get("/api/messages").addQueryParam("with", "bob").send().await().bodyAsJsonObject()
        .getJsonArray("messages");
    assertEquals(file, history.getJsonObject(0).getJsonObject("file"));
    assertEquals(text, history.getJsonObject(0).getString("text"));
  }

  @Test
  void uploadsAreCheckedAndServedSafely() throws Exception {
    WebClientSession alice = Api.login(vertx, switchboard, "alice", "alice-web-pw");
    Api.assertError(upload(alice, "to", "bob", "big.bin", "application/octet-stream", new byte[MAX_FILE + 1]), 413, "file");
    Api.assertError(upload(alice, "to", "bob", "huge.bin", "application/octet-stream", new byte[3 * MAX_FILE]), 413, "file");
    Api.assertError(upload(alice, null, null, "a.txt", "text/plain", "x".getBytes()), 400, "to");
    Api.assertError(upload(alice, "to", "nobody", "a.txt", "text/plain", "x".getBytes()), 404, "to");
    Api.assertError(upload(alice, "room", "nowhere", "a.txt", "text/plain", "x".getBytes()), 404, "room");
    MultipartForm form = MultipartForm.create().attribute("to", "bob")
        .binaryFileUpload("file", "a.txt", Buffer.buffer("x"), "text/plain");
    Api.assertError(alice.post("/api/messages/files").sendMultipartForm(form).await(), 415, null);
    Api.assertError(alice.post("/api/messages/files").sendJsonObject(new JsonObject().put("to", "bob")).await(), 415, null);
    Api.assertError(Api.once(vertx, c -> c.post(webPort, "127.0.0.1", "/api/messages/files")
        .putHeader("X-Requested-With", "XMLHttpRequest").sendMultipartForm(form)), 401, null);

    byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
    JsonObject real = upload(alice, "to", "bob", "chart.png", "image/png", png).bodyAsJsonObject().getJsonObject("file");
    HttpResponse<Buffer> image = alice.get(path(real)).send().await();
    assertEquals("image/png", image.getHeader("Content-Type"));
    assertTrue(image.getHeader("Content-Disposition").startsWith("inline"), image.getHeader("Content-Disposition"));
    assertEquals("nosniff", image.getHeader("X-Content-Type-Options"));

    byte[] html = "<html><script>alert(1)</script></html>".getBytes(StandardCharsets.UTF_8);
    JsonObject fake = upload(alice, "to", "bob", "cat.png", "image/png", html).bodyAsJsonObject().getJsonObject("file");
    assertEquals("application/octet-stream", fake.getString("type"), "a PNG that does not start as one");
    HttpResponse<Buffer> bytes = alice.get(path(fake)).send().await();
    assertEquals("application/octet-stream", bytes.getHeader("Content-Type"));
    assertTrue(bytes.getHeader("Content-Disposition").startsWith("attachment"), bytes.getHeader("Content-Disposition"));
    assertArrayEquals(html, bytes.body().getBytes());

    JsonObject page = upload(alice, "to", "bob", "page.html", "text/html", html).bodyAsJsonObject().getJsonObject("file");
    assertEquals("application/octet-stream", page.getString("type"), "never served as a page");
  }

  @Test
  void roomMembersFetchARoomsFileAndDeletingTheUploaderRemovesIt() {
    WebClientSession alice = Api.login(vertx, switchboard, "alice", "alice-web-pw");
    assertEquals(201, alice.post("/api/rooms").sendJsonObject(new JsonObject().put("name", "lunch")
        .put("members", new JsonArray().add("bob"))).await().statusCode());
    byte[] bytes = pdf(5000);
    HttpResponse<Buffer> sent = upload(alice, "room", "lunch", "menu.pdf", "application/pdf", bytes);
    assertEquals(201, sent.statusCode(), sent.bodyAsString());
    JsonObject file = sent.bodyAsJsonObject().getJsonObject("file");
    WebClientSession bob = Api.login(vertx, switchboard, "bob", "bob-web-pw");
    assertArrayEquals(bytes, bob.get("/f/" + file.getString("id")).send().await().body().getBytes());
    WebClientSession carol = Api.login(vertx, switchboard, "carol", "carol-web-pw");
    assertEquals(403, carol.get("/f/" + file.getString("id")).send().await().statusCode());
    Api.assertError(upload(carol, "room", "lunch", "x.pdf", "application/pdf", bytes), 403, "room");

    assertEquals(204, admin.delete("/api/users/alice").send().await().statusCode());
    // Removed on the deletion's event, on the store pool: awaited, bounded.
    int status = 200;
    for (int i = 0; i < 600 && status != 404; i++) {
      vertx.timer(50).await();
      status = fetch(path(file)).statusCode();
    }
    assertEquals(404, status, "the deleted user's file is gone");
  }

  /** The path and query of a file's url. */
  private static String path(JsonObject file) {
    String url = file.getString("url");
    return url.substring(url.indexOf("/f/"));
  }
}
