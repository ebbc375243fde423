package io.switchboard.provisioning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.switchboard.core.config.ConfigLoader;
import io.switchboard.core.model.Device;
import io.switchboard.core.model.Role;
import io.switchboard.core.model.User;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/**
 * Each vendor's phone file points its BLF-list setting at the user's buddy list URI (RFC 4662),
 * read back as the phone reads it: Yealink {@code account.2.blf.blf_list_uri} (and the older
 * {@code account.2.blf_list_uri}), Polycom {@code attendant.uri}, Snom {@code user_event_list_uri}
 * and {@code user_presence_buddy_list_uri}, Cisco {@code BLF_List_URI}, Grandstream P444 (account 2's
 * Eventlist BLF URI). The URI follows {@code presence.list-uri-pattern}; a phone without BLF keys gets none.
 */
class BuddyListUriTemplatesTest {

  private static final PhoneTemplates TEMPLATES = new PhoneTemplates(Optional.empty());
  private static final User ALICE = new User("alice", "Alice", "1001", Role.USER, true, "h", Map.of(), null, null);
  private static final PhoneModel.Servers SERVERS = new PhoneModel.Servers("sb.test", "pbx.test", 5060, "10.0.0.5", 5070, "*97");
  private static final List<PhoneModel.Buddy> BUDDIES = List.of(new PhoneModel.Buddy("bob", "Bob", "1002"));

  private static String render(String vendor, String file, String listUser, boolean blf) {
    Device d = new Device("dev-1", "alice", Device.Kind.DESK_PHONE, vendor, "D785", "001565aabbcc", "1001", "s3cret-sip",
        "tok", new Device.Profile(List.of("text/plain"), 1024, true, blf), null, null);
    Vendor.FileRequest r = Vendor.fromWire(vendor).orElseThrow().resolve(file).orElseThrow(() -> new AssertionError(file));
    return new String(TEMPLATES.render(r.vendor(), r.template(), PhoneModel.of(d, ALICE, BUDDIES, SERVERS, listUser)),
        StandardCharsets.UTF_8);
  }

  private static String x(String xml, String path) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    Document d = f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    return XPathFactory.newInstance().newXPath().evaluate(path, d);
  }

  private static Map<String, String> keys(String text) {
    Map<String, String> m = new HashMap<>();
    text.lines().filter(l -> !l.startsWith("#") && l.contains("="))
        .forEach(l -> m.put(l.split("=", 2)[0].trim(), l.split("=", 2)[1].trim()));
    return m;
  }

  /** The list URI as each vendor's file names it. */
  private static List<String> listUris(String listUser, boolean blf) throws Exception {
    Map<String, String> yealink = keys(render("yealink", "001565aabbcc.cfg", listUser, blf));
    String polycom = render("polycom", "phone-001565aabbcc.cfg", listUser, blf);
    String snom = render("snom", "snomD785-001565AABBCC.htm", listUser, blf);
    return List.of(
        String.valueOf(yealink.get("account.2.blf.blf_list_uri")),
        String.valueOf(yealink.get("account.2.blf_list_uri")),
        x(polycom, "/polycomConfig/attendant/@attendant.uri"),
        x(snom, "/settings/phone-settings/user_event_list_uri[@idx='2']"),
        x(snom, "/settings/phone-settings/user_event_list_subscription[@idx='2']"),
        x(snom, "/settings/phone-settings/user_presence_buddy_list_uri[@idx='2']"),
        x(render("cisco", "spa001565aabbcc.xml", listUser, blf), "/flat-profile/BLF_List_URI"),
        x(render("grandstream", "cfg001565aabbcc.xml", listUser, blf), "/gs_provision/config/P444"));
  }

  @Test
  void everyVendorsBlfListSettingNamesTheBuddyListUri() throws Exception {
    String uri = "sip:alice-buddies@sb.test";
    assertEquals(List.of(uri, uri, uri, uri, "on", uri, uri, uri), listUris("alice-buddies", true));
  }

  @Test
  void theUriFollowsTheConfiguredPattern() throws Exception {
    String listUser = ConfigLoader.load(null, Map.of(ConfigLoader.envName("presence.list-uri-pattern"), "blf-{user}"))
        .presence().listUser("alice");
    String uri = "sip:blf-alice@sb.test";
    assertEquals(List.of(uri, uri, uri, uri, "on", uri, uri, uri), listUris(listUser, true));
  }

  @Test
  void aPhoneWithoutBlfKeysGetsNoList() throws Exception {
    List<String> none = listUris("alice-buddies", false);
    assertEquals(List.of("null", "null", "", "", "", "", "", ""), none);
    assertFalse(render("yealink", "001565aabbcc.cfg", "alice-buddies", false).contains("blf_list"));
  }
}
