package io.switchboard.provisioning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.model.Device;
import io.switchboard.core.model.Role;
import io.switchboard.core.model.User;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** Every vendor's files rendered for one phone and read back as the phone reads them (XML parsed, not grepped). */
class PhoneTemplatesTest {

  private static final PhoneTemplates TEMPLATES = new PhoneTemplates(Optional.empty());
  private static final User ALICE = new User("alice", "Alice & Co <HQ>", "1001", Role.USER, true, "h", Map.of(), null, null);
  private static final PhoneModel.Servers SERVERS = new PhoneModel.Servers("sb.test", "pbx.test", 5060, "10.0.0.5", 5070, "*97");
  private static final List<PhoneModel.Buddy> BUDDIES = List.of(new PhoneModel.Buddy("bob", "Bob", "1002"),
      new PhoneModel.Buddy("carol", "Carol", null));

  private static Device phone(String vendor, String model) {
    return new Device("dev-1", "alice", Device.Kind.DESK_PHONE, vendor, model, "001565aabbcc", "1001", "s3cret-sip",
        "tok", null, null, null);
  }

  private static String render(String vendor, String model, String file) {
    Device d = phone(vendor, model);
    Vendor.FileRequest r = Vendor.fromWire(vendor).orElseThrow().resolve(file).orElseThrow(() -> new AssertionError(file));
    Map<String, Object> m = r.template().equals("phone") ? PhoneModel.of(d, ALICE, BUDDIES, SERVERS)
        : PhoneModel.common(r.mac(), r.model());
    return new String(TEMPLATES.render(r.vendor(), r.template(), m), StandardCharsets.UTF_8);
  }

  private static Document xml(String text) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return f.newDocumentBuilder().parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
  }

  private static String x(Document d, String path) throws Exception {
    return XPathFactory.newInstance().newXPath().evaluate(path, d);
  }

  @Test
  void polycomMasterListsThePhoneFileWhichCarriesAccountsAndBuddies() throws Exception {
    Document master = xml(render("polycom", null, "001565aabbcc.cfg"));
    assertEquals("phone-001565aabbcc.cfg", x(master, "/APPLICATION/@CONFIG_FILES"));
    assertEquals("phone-[PHONE_MAC_ADDRESS].cfg", x(xml(render("polycom", null, "000000000000.cfg")), "/APPLICATION/@CONFIG_FILES"));
    Document d = xml(render("polycom", null, "phone-001565aabbcc.cfg"));
    assertEquals("1001", x(d, "/polycomConfig/reg/@reg.1.auth.userId"));
    assertEquals("s3cret-sip", x(d, "/polycomConfig/reg/@reg.1.auth.password"));
    assertEquals("pbx.test", x(d, "/polycomConfig/reg/@reg.1.server.1.address"));
    assertEquals("Alice & Co <HQ>", x(d, "/polycomConfig/reg/@reg.1.displayName"), "escaped, read back whole");
    assertEquals("10.0.0.5", x(d, "/polycomConfig/reg/@reg.2.server.1.address"));
    assertEquals("5070", x(d, "/polycomConfig/reg/@reg.2.server.1.port"));
    assertEquals("0", x(d, "/polycomConfig/msg/@msg.bypassInstantMessage"), "text messages on");
    assertEquals("*97", x(d, "/polycomConfig/msg/@msg.mwi.1.callBack"));
    assertEquals("1002@sb.test", x(d, "/polycomConfig/attendant/@attendant.resourceList.1.address"));
    assertEquals("carol@sb.test", x(d, "/polycomConfig/attendant/@attendant.resourceList.2.address"));
    assertEquals("alert-autoanswer", x(d, "/polycomConfig/voIpProt/@voIpProt.SIP.alertInfo.1.value"),
        "click-to-call's Alert-Info (telephony's AutoAnswer) answers by itself");
    assertEquals("autoAnswer", x(d, "/polycomConfig/voIpProt/@voIpProt.SIP.alertInfo.1.class"));
  }

  @Test
  void ciscoSpaFlatProfile() throws Exception {
    Document d = xml(render("cisco", null, "spa001565aabbcc.xml"));
    assertEquals("1001", x(d, "/flat-profile/User_ID_1_"));
    assertEquals("s3cret-sip", x(d, "/flat-profile/Password_1_"));
    assertEquals("pbx.test:5060", x(d, "/flat-profile/Proxy_1_"));
    assertEquals("10.0.0.5:5070", x(d, "/flat-profile/Proxy_2_"));
    assertEquals("Yes", x(d, "/flat-profile/Text_Message_"));
    assertEquals("*97", x(d, "/flat-profile/Voice_Mail_Number_"));
    assertTrue(x(d, "/flat-profile/Extended_Function_3_").startsWith("fnc=blf;sub=1002@10.0.0.5"));
    assertEquals("Yes", x(d, "/flat-profile/Auto_Answer_Page_"), "click-to-call's Call-Info answer-after=0");
  }

  @Test
  void snomCommonThenPhoneFileWithBlfFunctionKeys() throws Exception {
    xml(render("snom", "D785", "snomD785.htm"));
    Document d = xml(render("snom", "D785", "snomD785-001565AABBCC.htm"));
    assertEquals("1001", x(d, "/settings/phone-settings/user_name[@idx='1']"));
    assertEquals("s3cret-sip", x(d, "/settings/phone-settings/user_pass[@idx='1']"));
    assertEquals("pbx.test:5060", x(d, "/settings/phone-settings/user_host[@idx='1']"));
    assertEquals("10.0.0.5:5070", x(d, "/settings/phone-settings/user_host[@idx='2']"));
    assertEquals("*97", x(d, "/settings/phone-settings/user_mailbox[@idx='1']"));
    assertEquals("blf sip:1002@sb.test", x(d, "/settings/functionKeys/fkey[@idx='0']"));
    assertEquals("blf sip:carol@sb.test", x(d, "/settings/functionKeys/fkey[@idx='1']"));
    assertEquals("idle", x(d, "/settings/phone-settings/answer_after_policy"), "click-to-call's Call-Info answer-after=0");
    assertTrue(Vendor.SNOM.resolve("snomD785-001565aabbcc.htm").isEmpty(), "Snom asks with an upper-case MAC");
  }

  @Test
  void grandstreamPValues() throws Exception {
    Document d = xml(render("grandstream", null, "cfg001565aabbcc.xml"));
    assertEquals("001565aabbcc", x(d, "/gs_provision/mac"));
    assertEquals("1001", x(d, "/gs_provision/config/P35"));
    assertEquals("s3cret-sip", x(d, "/gs_provision/config/P34"));
    assertEquals("pbx.test:5060", x(d, "/gs_provision/config/P47"));
    assertEquals("10.0.0.5:5070", x(d, "/gs_provision/config/P402"));
    assertEquals("1", x(d, "/gs_provision/config/P323"), "key 1 is BLF");
    assertEquals("1002", x(d, "/gs_provision/config/P303"));
    assertEquals("carol", x(d, "/gs_provision/config/P306"));
    assertEquals("1", x(d, "/gs_provision/config/P298"), "auto answer by Call-Info, for click-to-call");
  }

  @Test
  void grandstreamKeysPastSevenDoNotOverwriteTheFirstOnes() throws Exception {
    List<PhoneModel.Buddy> many = new java.util.ArrayList<>();
    for (int i = 1; i <= 20; i++) {
      many.add(new PhoneModel.Buddy("buddy" + i, "Buddy " + i, String.valueOf(2000 + i)));
    }
    String text = new String(TEMPLATES.render(Vendor.GRANDSTREAM, "phone",
        PhoneModel.of(phone("grandstream", null), ALICE, many, SERVERS)), StandardCharsets.UTF_8);
    Document d = xml(text);
    org.w3c.dom.NodeList values = d.getElementsByTagName("config").item(0).getChildNodes();
    java.util.Set<String> names = new java.util.HashSet<>();
    for (int i = 0; i < values.getLength(); i++) {
      if (values.item(i) instanceof org.w3c.dom.Element e) {
        assertTrue(names.add(e.getTagName()), "P-value set twice: " + e.getTagName());
      }
    }
    assertEquals("1", x(d, "/gs_provision/config/P323"), "key 1 is still BLF");
    assertEquals("Buddy 1", x(d, "/gs_provision/config/P302"));
    assertEquals("2007", x(d, "/gs_provision/config/P321"), "key 7, the last in threes");
    assertEquals("1", x(d, "/gs_provision/config/P353"), "key 8: mode, account, name, value from P353");
    assertEquals("1", x(d, "/gs_provision/config/P354"));
    assertEquals("Buddy 8", x(d, "/gs_provision/config/P355"));
    assertEquals("2008", x(d, "/gs_provision/config/P356"));
    assertEquals("2018", x(d, "/gs_provision/config/P396"), "key 18, the last the phone has");
    assertTrue(!text.contains("Buddy 19"), "no P-values for keys the phone lacks");
  }

  @Test
  void yealinkValuesCannotAddKeys() {
    User evil = new User("eve", "Eve\naccount.1.password = x", "1005", Role.USER, true, "h", Map.of(), null, null);
    String text = new String(TEMPLATES.render(Vendor.YEALINK, "phone", PhoneModel.of(phone("yealink", null), evil, List.of(),
        SERVERS)), StandardCharsets.UTF_8);
    assertEquals(1, text.lines().filter(l -> l.startsWith("account.1.password")).count());
  }

  @Test
  void anOperatorsTemplateReplacesTheBuiltInOne(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("yealink"));
    Files.writeString(dir.resolve("yealink/phone.cfg.mustache"), "account.1.user_name = {{endpoint}}\nlocal.site = HQ\n");
    String text = new String(new PhoneTemplates(Optional.of(dir)).render(Vendor.YEALINK, "phone",
        PhoneModel.of(phone("yealink", null), ALICE, BUDDIES, SERVERS)), StandardCharsets.UTF_8);
    assertEquals("account.1.user_name = 1001\nlocal.site = HQ\n", text);
  }

  private static final String PEM = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";
  private static final PhoneModel.Servers TLS_SERVERS = new PhoneModel.Servers("sb.test", "pbx.test", 5060,
      "10.0.0.5", 5071, "*97", true, "https://10.0.0.5:8081/provision/switchboard-ca.pem", PEM);

  private static String renderTls(String vendor, String model, String file) {
    Vendor.FileRequest r = Vendor.fromWire(vendor).orElseThrow().resolve(file).orElseThrow(() -> new AssertionError(file));
    return new String(TEMPLATES.render(r.vendor(), r.template(), PhoneModel.of(phone(vendor, model), ALICE, BUDDIES,
        TLS_SERVERS)), StandardCharsets.UTF_8);
  }

  /** key = value lines of a Yealink file, as the phone reads them. */
  private static Map<String, String> keys(String text) {
    Map<String, String> m = new java.util.HashMap<>();
    text.lines().filter(l -> !l.startsWith("#") && l.contains("=")).forEach(l -> {
      String[] kv = l.split("=", 2);
      assertTrue(m.put(kv[0].trim(), kv[1].trim()) == null, "set twice: " + kv[0]);
    });
    return m;
  }

  @Test
  void withTlsTheSwitchboardAccountUsesTlsAndTrustsTheCertificateWhileAsteriskStaysAsItIs() throws Exception {
    Map<String, String> y = keys(renderTls("yealink", null, "001565aabbcc.cfg"));
    assertEquals("2", y.get("account.2.sip_server.1.transport_type"), "2 = TLS");
    assertEquals("5071", y.get("account.2.sip_server.1.port"));
    assertEquals("https://10.0.0.5:8081/provision/switchboard-ca.pem", y.get("static.trusted_certificates.url"));
    assertEquals("1", y.get("static.security.trust_certificates"));
    assertEquals("5060", y.get("account.1.sip_server.1.port"));
    assertEquals(null, y.get("account.1.sip_server.1.transport_type"), "Asterisk's account as before");

    Document p = xml(renderTls("polycom", null, "phone-001565aabbcc.cfg"));
    assertEquals("TLS", x(p, "/polycomConfig/reg/@reg.2.server.1.transport"));
    assertEquals("5071", x(p, "/polycomConfig/reg/@reg.2.server.1.port"));
    assertEquals("", x(p, "/polycomConfig/reg/@reg.1.server.1.transport"));
    assertEquals("5060", x(p, "/polycomConfig/reg/@reg.1.server.1.port"));
    assertTrue(x(p, "/polycomConfig/device/@device.sec.TLS.customCaCert1").startsWith("-----BEGIN CERTIFICATE-----"));
    assertEquals("1", x(p, "/polycomConfig/device/@device.sec.TLS.customCaCert1.set"));

    Document c = xml(renderTls("cisco", null, "spa001565aabbcc.xml"));
    assertEquals("TLS", x(c, "/flat-profile/SIP_Transport_2_"));
    assertEquals("10.0.0.5:5071", x(c, "/flat-profile/Proxy_2_"));
    assertEquals("", x(c, "/flat-profile/SIP_Transport_1_"));
    assertEquals("pbx.test:5060", x(c, "/flat-profile/Proxy_1_"));
    assertEquals("https://10.0.0.5:8081/provision/switchboard-ca.pem", x(c, "/flat-profile/Custom_CA_Rule"));

    Document s = xml(renderTls("snom", "D785", "snomD785-001565AABBCC.htm"));
    assertEquals("10.0.0.5:5071;transport=tls", x(s, "/settings/phone-settings/user_host[@idx='2']"));
    assertEquals("pbx.test:5060", x(s, "/settings/phone-settings/user_host[@idx='1']"));
    assertEquals("https://10.0.0.5:8081/provision/switchboard-ca.pem", x(s, "/settings/phone-settings/custom_certs"));

    Document g = xml(renderTls("grandstream", null, "cfg001565aabbcc.xml"));
    assertEquals("2", x(g, "/gs_provision/config/P448"), "account 2 transport: TLS");
    assertEquals("1", x(g, "/gs_provision/config/P2429"), "sips: URIs");
    assertEquals("10.0.0.5:5071", x(g, "/gs_provision/config/P402"));
    assertEquals("", x(g, "/gs_provision/config/P130"), "account 1 (Asterisk) as before");
    assertEquals("pbx.test:5060", x(g, "/gs_provision/config/P47"));
  }

  @Test
  void withoutTlsNoFileMentionsTls() {
    for (String[] f : new String[][] {{"yealink", "001565aabbcc.cfg"}, {"polycom", "phone-001565aabbcc.cfg"},
        {"cisco", "spa001565aabbcc.xml"}, {"snom", "snomD785-001565AABBCC.htm"}, {"grandstream", "cfg001565aabbcc.xml"}}) {
      String text = render(f[0], "D785", f[1]);
      assertTrue(!text.toLowerCase().contains("tls") && !text.contains("cert"), f[0] + ":\n" + text);
    }
    assertEquals("0", keys(render("yealink", null, "001565aabbcc.cfg")).get("account.2.sip_server.1.transport_type"));
  }

  @Test
  void macsAreFoundInEveryVendorsFileNames() {
    assertEquals(Optional.of("001565aabbcc"), Vendor.macIn("001565aabbcc.cfg"));
    assertEquals(Optional.of("001565aabbcc"), Vendor.macIn("spa001565aabbcc.xml"));
    assertEquals(Optional.of("000413aabbcc"), Vendor.macIn("snom760-000413AABBCC.htm"));
    assertEquals(Optional.of("000b82aabbcc"), Vendor.macIn("cfg000b82aabbcc.xml"));
    assertEquals(Optional.empty(), Vendor.macIn("y000000000000.cfg"));
    assertEquals("001565aabbcc", Device.normaliseMac("00:15:65:AA:BB:CC"));
    assertEquals(null, Device.normaliseMac("00:15:65:AA:BB"));
  }
}
