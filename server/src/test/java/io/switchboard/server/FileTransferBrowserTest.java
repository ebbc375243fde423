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
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClientSession;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.WebElement;

/**
 * A file sent from the console in Chromium (the chat's file input, as the attach button and a drop use it):
 * shown as an image preview or a download card, and on bob's SIPp phone as a link that downloads the same bytes.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 240, timeUnit = TimeUnit.SECONDS)
class FileTransferBrowserTest {

  private static final Pattern LINK = Pattern.compile("(http://\\S+/f/[A-Za-z0-9_-]{22}\\?t=[A-Za-z0-9_-]{22})");

  private Switchboard switchboard;
  private Browser browser;
  private Vertx vertx;
  private int sipPort;
  private int webPort;
  private Path dir;

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) throws Exception {
    this.vertx = vertx;
    this.dir = dir;
    sipPort = FreePorts.udpAndTcp();
    webPort = FreePorts.udpAndTcp();
    switchboard = new Switchboard(vertx, TestConfigs.loopback(dir, sipPort, webPort, Map.of("admin.password",
        "admin-password", "im.fork-timeout", "3", "web.public-url", "http://127.0.0.1:" + webPort)), s -> { });
    switchboard.start().await();
    WebClientSession admin = Api.login(vertx, switchboard, "admin", "admin-password");
    for (String[] u : new String[][] {{"alice", "1001", "Alice"}, {"bob", "1002", "Bob"}}) {
      HttpResponse<Buffer> r = admin.post("/api/users").sendJsonObject(new JsonObject().put("username", u[0])
          .put("displayName", u[2]).put("extension", u[1]).put("password", u[0] + "-web-pw")
          .put("sipPassword", u[0] + "-sip-pw")).await();
      assertEquals(201, r.statusCode(), r.bodyAsString());
    }
    browser = new Browser(webPort);
  }

  @AfterEach
  void stop() throws Exception {
    if (browser != null) {
      browser.close();
    }
    switchboard.stop().await();
  }

  /** Chooses a file in the chat's (hidden) file input, as the attach button does. */
  private void attach(Path file) {
    browser.find("chat-input");
    WebElement input = browser.driver().findElement(Browser.id("chat-file"));
    input.sendKeys(file.toAbsolutePath().toString());
  }

  @Test
  void aFileFromTheBrowserShowsAsACardAndReachesThePhoneAsALink() throws Exception {
    int devicePort = FreePorts.udpAndTcp();
    Sipp.Running bobPhone = Sipp.device("receive-message.xml", devicePort, 1).start();
    Sipp.Result reg = Sipp.scenario("register-device.xml", sipPort).key("domain", "switchboard.test").key("aor", "bob")
        .key("contact", "bob-desk").key("device", "127.0.0.1:" + devicePort).key("accept", "text/plain")
        .auth("bob", "bob-sip-pw").run();
    assertTrue(reg.passed(), reg::toString);

    byte[] pdf = new byte[300_000];
    new Random(5).nextBytes(pdf);
    System.arraycopy("%PDF-1.4\n".getBytes(), 0, pdf, 0, 9);
    Path notes = Files.write(dir.resolve("notes.pdf"), pdf);

    browser.login("alice", "alice-web-pw");
    browser.open("#/chat/bob");
    attach(notes);
    assertTrue(browser.waitText("message-file", "notes.pdf").contains("300 KB"));
    browser.waitText("message-state", "delivered");

    Sipp.Result phone = bobPhone.await();
    assertTrue(phone.passed(), phone::toString);
    String text = SippTrace.received(phone.messages(), "MESSAGE").get(0).body().strip();
    Matcher link = LINK.matcher(text);
    assertTrue(text.startsWith("Alice sent notes.pdf (300 KB): ") && link.find(), text);
    HttpResponse<Buffer> got = Api.once(vertx, c -> c.getAbs(link.group(1)).send());
    assertEquals(200, got.statusCode());
    assertArrayEquals(pdf, got.body().getBytes(), "the phone's link gives the bytes the browser sent");

    // An image: previewed inline, loaded from the server with the session.
    BufferedImage image = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
    image.setRGB(1, 1, 0xff0000);
    Path chart = dir.resolve("chart.png");
    ImageIO.write(image, "png", chart.toFile());
    attach(chart);
    browser.find("message-image");
    browser.until(d -> Long.valueOf(40).equals(browser.script(
        "const i = document.querySelector('[data-testid=message-image] img'); return i && i.complete ? i.naturalWidth : 0;"))
        ? Boolean.TRUE : null, "the preview loaded, 40 pixels wide");
    browser.screenshot("chat-files");
  }
}
