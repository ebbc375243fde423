package io.switchboard.provisioning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.model.Device;
import io.switchboard.core.model.Role;
import io.switchboard.core.model.User;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/**
 * Every vendor's phone file with two backup servers, read back as the phone reads it (XML parsed,
 * key = value split), and without them byte for byte as before the backup servers existed (the
 * files under {@code golden/} were rendered from the templates before this change).
 */
class BackupServerFilesTest {

  private static final PhoneTemplates TEMPLATES = new PhoneTemplates(Optional.empty());
  private static final User ALICE = new User("alice", "Alice & Co <HQ>", "1001", Role.USER, true, "h", Map.of(), null, null);
  private static final List<PhoneModel.Buddy> BUDDIES = List.of(new PhoneModel.Buddy("bob", "Bob", "1002"),
      new PhoneModel.Buddy("carol", "Carol", null));
  private static final PhoneModel.Servers CLEAR = new PhoneModel.Servers("sb.test", "pbx.test", 5060, "10.0.0.5", 5070, "*97");
  private static final PhoneModel.Servers TLS = new PhoneModel.Servers("sb.test", "pbx.test", 5060, "10.0.0.5", 5071, "*97",
      true, "https://10.0.0.5:8081/provision/switchboard-ca.pem",
      "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n");
  private static final List<PhoneModel.Server> TWO = List.of(new PhoneModel.Server("sb2.test", 5070),
      new PhoneModel.Server("10.0.0.7", 5080));

  private static final String[][] PHONE_FILES = {{"yealink", "001565aabbcc.cfg"}, {"polycom", "phone-001565aabbcc.cfg"},
      {"cisco", "spa001565aabbcc.xml"}, {"snom", "snomD785-001565AABBCC.htm"}, {"grandstream", "cfg001565aabbcc.xml"}};

  private static String render(String vendor, String file, PhoneModel.Servers servers) {
    Device d = new Device("dev-1", "alice", Device.Kind.DESK_PHONE, vendor, "D785", "001565aabbcc", "1001", "s3cret-sip",
        "tok", null, null, null);
    Vendor.FileRequest r = Vendor.fromWire(vendor).orElseThrow().resolve(file).orElseThrow(() -> new AssertionError(file));
    return new String(TEMPLATES.render(r.vendor(), r.template(), PhoneModel.of(d, ALICE, BUDDIES, servers)),
        StandardCharsets.UTF_8);
  }

  private static Document xml(String text) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return f.newDocumentBuilder().parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
  }

  private static String x(Document d, String path) throws Exception {
    return XPathFactory.newInstance().newXPath().evaluate(path, d);
  }

  private static int count(Document d, String path) throws Exception {
    return ((NodeList) XPathFactory.newInstance().newXPath().evaluate(path, d, XPathConstants.NODESET)).getLength();
  }

  /** key = value lines, as a Yealink reads them; a key set twice fails. */
  private static Map<String, String> keys(String text) {
    Map<String, String> m = new HashMap<>();
    text.lines().filter(l -> !l.startsWith("#") && l.contains("=")).forEach(l -> {
      String[] kv = l.split("=", 2);
      assertNull(m.put(kv[0].trim(), kv[1].trim()), "set twice: " + kv[0]);
    });
    return m;
  }

  private static String golden(String mode, String vendor, String file) throws IOException {
    try (InputStream in = BackupServerFilesTest.class.getResourceAsStream("/golden/" + mode + "/" + vendor + "-" + file)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void withoutBackupServersEveryPhoneFileIsByteForByteAsBefore() throws Exception {
    for (String[] f : PHONE_FILES) {
      assertEquals(golden("clear", f[0], f[1]), render(f[0], f[1], CLEAR), f[0]);
      assertEquals(golden("tls", f[0], f[1]), render(f[0], f[1], TLS), f[0] + " with TLS");
      assertEquals(golden("clear", f[0], f[1]), render(f[0], f[1], CLEAR.withBackups(List.of(), 300)), f[0] + ", empty list");
    }
  }

  @Test
  void yealinkGetsServer2WithSuccessiveRegistration() {
    Map<String, String> y = keys(render("yealink", "001565aabbcc.cfg", CLEAR.withBackups(TWO, 300)));
    assertEquals("10.0.0.5", y.get("account.2.sip_server.1.address"), "the primary stays this node");
    assertEquals("5070", y.get("account.2.sip_server.1.port"));
    assertEquals("300", y.get("account.2.sip_server.1.expires"));
    assertEquals("sb2.test", y.get("account.2.sip_server.2.address"), "the first backup; Yealink has two servers");
    assertEquals("5070", y.get("account.2.sip_server.2.port"));
    assertEquals("0", y.get("account.2.sip_server.2.transport_type"), "UDP like server 1");
    assertEquals("300", y.get("account.2.sip_server.2.expires"));
    assertEquals("1", y.get("account.2.fallback.redundancy_type"), "successive: one registration at a time");
    assertEquals("300", y.get("account.2.fallback.timeout"));
    assertNull(y.get("account.1.sip_server.2.address"), "account 1 is Asterisk's, not clustered by us");
    assertNull(y.get("account.1.sip_server.1.expires"));

    Map<String, String> tls = keys(render("yealink", "001565aabbcc.cfg", TLS.withBackups(TWO, 120)));
    assertEquals("2", tls.get("account.2.sip_server.2.transport_type"), "TLS like server 1");
    assertEquals("120", tls.get("account.2.sip_server.2.expires"));
  }

  @Test
  void polycomGetsServer2WhichItRegistersWithOnFailover() throws Exception {
    Document d = xml(render("polycom", "phone-001565aabbcc.cfg", CLEAR.withBackups(TWO, 300)));
    String reg = "/polycomConfig/reg/@";
    assertEquals("10.0.0.5", x(d, reg + "reg.2.server.1.address"));
    assertEquals("300", x(d, reg + "reg.2.server.1.expires"));
    assertEquals("sb2.test", x(d, reg + "reg.2.server.2.address"));
    assertEquals("5070", x(d, reg + "reg.2.server.2.port"));
    assertEquals("300", x(d, reg + "reg.2.server.2.expires"));
    for (int y = 1; y <= 2; y++) {
      assertEquals("1", x(d, reg + "reg.2.server." + y + ".failOver.reRegisterOn"), "registers with the server it fails over to");
      assertEquals("1", x(d, reg + "reg.2.server." + y + ".failOver.failRegistrationOn"));
      assertEquals("registration", x(d, reg + "reg.2.server." + y + ".failOver.failBack.mode"),
          "back to server 1 at a renewal, not every new request first to a dead server");
    }
    assertEquals("", x(d, reg + "reg.2.server.2.transport"), "clear text: the transport as for server 1");
    assertEquals("", x(d, reg + "reg.1.server.2.address"), "account 1 is Asterisk's");
    assertEquals("", x(d, reg + "reg.2.server.3.address"));

    Document tls = xml(render("polycom", "phone-001565aabbcc.cfg", TLS.withBackups(TWO, 300)));
    assertEquals("TLS", x(tls, reg + "reg.2.server.2.transport"));
  }

  @Test
  void ciscoGetsAnAlternateProxyWithDualRegistration() throws Exception {
    Document d = xml(render("cisco", "spa001565aabbcc.xml", CLEAR.withBackups(TWO, 300)));
    assertEquals("10.0.0.5:5070", x(d, "/flat-profile/Proxy_2_"));
    assertEquals("sb2.test:5070", x(d, "/flat-profile/Alternate_Proxy_2_"));
    assertEquals("Yes", x(d, "/flat-profile/Dual_Registration_2_"), "without it the alternate proxy is ignored");
    assertEquals("300", x(d, "/flat-profile/Register_Expires_2_"));
    assertEquals(0, count(d, "/flat-profile/Alternate_Proxy_1_"), "line 1 is Asterisk's");
    assertEquals(1, count(d, "/flat-profile/Alternate_Proxy_2_"));
  }

  @Test
  void snomGetsTheShortIntervalButNoSecondIdentity() throws Exception {
    Document d = xml(render("snom", "snomD785-001565AABBCC.htm", CLEAR.withBackups(TWO, 300)));
    String s = "/settings/phone-settings/";
    assertEquals("300", x(d, s + "user_expiry[@idx='2']"));
    assertEquals("10.0.0.5:5070", x(d, s + "user_host[@idx='2']"));
    assertEquals(0, count(d, s + "user_host[@idx='3']"), "a second identity would register too: messages shown twice");
    assertEquals(0, count(d, s + "user_failover_identity"));
  }

  @Test
  void grandstreamGetsAccount2sSecondarySipServerAndMinutes() throws Exception {
    Document d = xml(render("grandstream", "cfg001565aabbcc.xml", CLEAR.withBackups(TWO, 300)));
    assertEquals("10.0.0.5:5070", x(d, "/gs_provision/config/P402"));
    assertEquals("sb2.test:5070", x(d, "/gs_provision/config/P2412"));
    assertEquals("5", x(d, "/gs_provision/config/P412"), "register expiration in minutes");
    assertEquals("", x(d, "/gs_provision/config/P2312"), "account 1 (Asterisk) has none");
    assertEquals("2", x(xml(render("grandstream", "cfg001565aabbcc.xml", CLEAR.withBackups(TWO, 90))),
        "/gs_provision/config/P412"), "rounded up: never longer than asked");
  }

  @Test
  void operatorTemplatesSeeEveryBackupServerNumberedFromTwo() {
    Map<String, Object> m = PhoneModel.of(new Device("dev-1", "alice", Device.Kind.DESK_PHONE, "yealink", null,
        "001565aabbcc", "1001", "s", "tok", null, null, null), ALICE, List.of(), CLEAR.withBackups(TWO, 300));
    assertEquals(List.of(Map.of("n", 2, "host", "sb2.test", "port", 5070), Map.of("n", 3, "host", "10.0.0.7", "port", 5080)),
        m.get("backups"));
    assertEquals(300, m.get("registerInterval"));
    assertTrue(PhoneModel.of(new Device("dev-1", "alice", Device.Kind.DESK_PHONE, "yealink", null, "001565aabbcc", "1001",
        "s", "tok", null, null, null), ALICE, List.of(), CLEAR).get("backup") == null);
  }

  @Test
  void eachNodeLeavesItselfOutAndStartsAfterItself() {
    List<SwitchboardConfig.SipServer> listed = List.of(new SwitchboardConfig.SipServer("sb1.test", 0),
        new SwitchboardConfig.SipServer("sb2.test", 0), new SwitchboardConfig.SipServer("sb3.test", 5080));
    assertEquals(List.of(new PhoneModel.Server("sb2.test", 5070), new PhoneModel.Server("sb3.test", 5080)),
        BackupServers.forNode(listed, "SB1.test", 5070), "no port: this node's own SIP port for phones");
    assertEquals(List.of(new PhoneModel.Server("sb3.test", 5080), new PhoneModel.Server("sb1.test", 5070)),
        BackupServers.forNode(listed, "sb2.test", 5070), "from the entry after itself, wrapping");
    assertEquals(List.of(new PhoneModel.Server("sb1.test", 5080), new PhoneModel.Server("sb2.test", 5080)),
        BackupServers.forNode(listed, "sb3.test", 5080), "listed with its own port; the others get that port too");
    assertEquals(List.of(new PhoneModel.Server("sb2.test", 5071), new PhoneModel.Server("sb3.test", 5080)),
        BackupServers.forNode(listed, "sb1.test", 5071), "with TLS the phones' port is sip.tls-port");
    assertEquals(List.of(new PhoneModel.Server("sb1.test", 5070), new PhoneModel.Server("sb2.test", 5070),
        new PhoneModel.Server("sb3.test", 5080)), BackupServers.forNode(listed, "10.0.0.9", 5070),
        "a node not in the list gives all of them, in order");
    assertEquals(List.of(new PhoneModel.Server("[fd00::2]", 5070)), BackupServers.forNode(List.of(
        new SwitchboardConfig.SipServer("[fd00::1]", 0), new SwitchboardConfig.SipServer("[fd00::2]", 0)), "fd00::1", 5070));
    assertEquals(List.of(), BackupServers.forNode(List.of(new SwitchboardConfig.SipServer("sb1.test", 5070)), "sb1.test", 5070));
  }
}
