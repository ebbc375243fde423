package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.TestConfigs;
import io.switchboard.telephony.FakeAsterisk;
import io.vertx.core.json.JsonObject;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClientSession;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What is provisioned becomes PJSIP endpoints, auths and AORs in the file Asterisk includes, with
 * the field names Asterisk itself reports (the recorded {@code PJSIPShowEndpoint 1001}), and AMI
 * {@code Reload res_pjsip.so} follows every change; a disabled user's endpoints leave the file.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class AsteriskInStepTest {

  /** A section of the generated file: {@code [name]} with its {@code type=} and other keys. */
  record Section(String name, String type, Map<String, String> fields) {
  }

  private Switchboard switchboard;
  private FakeAsterisk asterisk;

  @AfterEach
  void stop() throws Exception {
    switchboard.stop().await();
    asterisk.close();
  }

  static List<Section> parse(String text) {
    List<Section> out = new ArrayList<>();
    String name = null;
    Map<String, String> fields = null;
    for (String line : text.split("\n")) {
      String t = line.strip();
      if (t.isEmpty() || t.startsWith(";")) {
        continue;
      }
      if (t.startsWith("[") && t.endsWith("]")) {
        if (name != null) {
          out.add(new Section(name, fields.remove("type"), fields));
        }
        name = t.substring(1, t.length() - 1);
        fields = new LinkedHashMap<>();
        continue;
      }
      int eq = t.indexOf('=');
      assertTrue(eq > 0 && name != null, "not key=value inside a section: " + line);
      fields.put(t.substring(0, eq), t.substring(eq + 1));
    }
    if (name != null) {
      out.add(new Section(name, fields.remove("type"), fields));
    }
    return out;
  }

  /** The field names Asterisk reports per object type in the recorded PJSIPShowEndpoint answer. */
  static Map<String, Set<String>> recordedFields() throws IOException {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    try (InputStream in = AsteriskInStepTest.class.getResourceAsStream("/ami/action-PJSIPShowEndpoint-1001.ami")) {
      String trace = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      for (String block : trace.split("\r\n\r\n")) {
        Map<String, String> h = new LinkedHashMap<>();
        for (String line : block.split("\r\n")) {
          int colon = line.indexOf(':');
          if (colon > 0) {
            h.put(line.substring(0, colon), line.substring(colon + 1).strip());
          }
        }
        if (h.containsKey("ObjectType")) {
          out.computeIfAbsent(h.get("ObjectType"), k -> new HashSet<>()).addAll(h.keySet());
        }
      }
    }
    return out;
  }

  /** pjsip.conf spelling to AMI's: max_contacts → MaxContacts. */
  static String amiName(String key) {
    StringBuilder b = new StringBuilder();
    for (String part : key.split("_")) {
      b.append(part.substring(0, 1).toUpperCase(Locale.ROOT)).append(part.substring(1));
    }
    return b.toString();
  }

  /** Waits for Reloads until the file satisfies {@code ok}; each write is followed by one. */
  private List<Section> awaitFile(Path file, Predicate<List<Section>> ok) throws Exception {
    return awaitFile(asterisk, file, ok);
  }

  /** Waits for {@code asterisk}'s Reloads until the file satisfies {@code ok}. */
  static List<Section> awaitFile(FakeAsterisk asterisk, Path file, Predicate<List<Section>> ok) throws Exception {
    int seen = (int) asterisk.received().stream().filter(a -> "reload".equalsIgnoreCase(a.get("action"))).count();
    while (true) {
      if (Files.exists(file)) {
        List<Section> sections = parse(Files.readString(file));
        if (ok.test(sections)) {
          return sections;
        }
      }
      asterisk.awaitActions("Reload", ++seen).get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void provisionedPhonesBecomeEndpointsAndAsteriskReloads(Vertx vertx, @TempDir Path dir) throws Exception {
    asterisk = new FakeAsterisk("uc", "ucsecret");
    switchboard = new Switchboard(vertx, TestConfigs.loopback(dir, FreePorts.udpAndTcp(), 0, Map.of(
        "admin.password", "admin-password", "ami.host", "127.0.0.1", "ami.port", String.valueOf(asterisk.port()),
        "ami.username", "uc", "ami.secret", "ucsecret")), s -> { });
    switchboard.start().await();
    WebClientSession admin = Api.login(vertx, switchboard, "admin", "admin-password");
    assertEquals(201, admin.post("/api/users").sendJsonObject(new JsonObject().put("username", "alice")
        .put("displayName", "Alice").put("extension", "1001").put("password", "alice-web-pw")).await().statusCode());
    JsonObject phone = ProvisioningTest.addDevice(admin, "alice", new JsonObject().put("kind", "desk-phone")
        .put("vendor", "yealink").put("mac", "001565aabbcc"));
    JsonObject soft = ProvisioningTest.addDevice(admin, "alice", new JsonObject().put("kind", "softphone"));
    ProvisioningTest.addDevice(admin, "alice", new JsonObject().put("kind", "web"));

    Path file = dir.resolve("pjsip_switchboard.conf");
    List<Section> sections = awaitFile(file, s -> s.stream().anyMatch(x -> x.name().equals("1001-2")));
    Map<String, String> reload = asterisk.received().stream()
        .filter(a -> "reload".equalsIgnoreCase(a.get("action"))).reduce((a, b) -> b).orElseThrow();
    assertEquals("res_pjsip.so", reload.get("module"));

    Map<String, Set<String>> recorded = recordedFields();
    assertEquals(6, sections.size(), "endpoint, auth and aor for each SIP device, nothing for the browser: " + sections);
    for (Section s : sections) {
      Set<String> known = recorded.get(s.type());
      assertTrue(known != null, "a type Asterisk knows: " + s.type());
      for (String key : s.fields().keySet()) {
        if (!key.equals("disallow")) { // write-only: Asterisk reports the resulting Allow
          assertTrue(known.contains(amiName(key)), s.type() + " field " + key + " (" + amiName(key) + ") is not one Asterisk reports");
        }
      }
    }
    Map<String, String> endpoint = field(sections, "1001", "endpoint");
    assertEquals("internal", endpoint.get("context"));
    assertEquals("1001", endpoint.get("aors"));
    assertEquals("1001", endpoint.get("auth"));
    assertEquals("\"Alice\" <1001>", endpoint.get("callerid"), "as Asterisk shows Callerid");
    assertEquals("1001@default", endpoint.get("mailboxes"));
    Map<String, String> auth = field(sections, "1001", "auth");
    assertEquals("userpass", auth.get("auth_type"));
    assertEquals("1001", auth.get("username"));
    assertEquals("1", field(sections, "1001", "aor").get("max_contacts"));
    assertEquals("1001-2", field(sections, "1001-2", "auth").get("username"));

    // The phone's file carries the same secret Asterisk checks.
    String url = "http://127.0.0.1:" + switchboard.provisioning().port()
        + URI.create(phone.getString("provisioningUrl")).getRawPath() + "001565aabbcc.cfg";
    String cfg = Api.once(vertx, c -> c.getAbs(url).send()).bodyAsString();
    assertEquals(auth.get("password"), PhoneFileParsers.keyValues(cfg).get("account.1.password"));
    assertFalse(soft.encode().contains(auth.get("password")));

    // Disabling the user takes their endpoints out.
    assertEquals(200, admin.patch("/api/users/alice").sendJsonObject(new JsonObject().put("enabled", false)).await().statusCode());
    assertTrue(awaitFile(file, List::isEmpty).isEmpty());
  }

  private static Map<String, String> field(List<Section> sections, String name, String type) {
    return sections.stream().filter(s -> s.name().equals(name) && s.type().equals(type)).findFirst()
        .orElseThrow(() -> new AssertionError("no [" + name + "] type=" + type + " in " + sections)).fields();
  }
}
