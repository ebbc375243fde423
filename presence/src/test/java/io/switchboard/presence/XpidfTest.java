package io.switchboard.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * Every XPIDF we send is valid against the XPIDF DTD (test resource {@code xsd/xpidf.dtd}, after
 * MS-SIP's Appendix B) and has the shape of what a Polycom VVX 101 sends (test resources
 * {@code captured/}): the same elements and attributes, in the same order.
 */
class XpidfTest {

  /** Parses with DTD validation, the DOCTYPE's "xpidf.dtd" resolved to our copy; throws on any error. */
  static Document validated(byte[] xml) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setValidating(true);
    DocumentBuilder b = f.newDocumentBuilder();
    b.setEntityResolver((publicId, systemId) -> {
      if (systemId == null || !systemId.endsWith("xpidf.dtd")) {
        throw new SAXException("unexpected entity " + systemId);
      }
      return new InputSource(XpidfTest.class.getResourceAsStream("/xsd/xpidf.dtd"));
    });
    b.setErrorHandler(new ErrorHandler() {
      @Override
      public void warning(SAXParseException e) {
      }

      @Override
      public void error(SAXParseException e) throws SAXException {
        throw e;
      }

      @Override
      public void fatalError(SAXParseException e) throws SAXException {
        throw e;
      }
    });
    return b.parse(new ByteArrayInputStream(xml));
  }

  /** Status and substatus of the one address, and the presentity's and the address's URIs. */
  static String[] read(byte[] xml) throws Exception {
    Document d = validated(xml);
    Element address = (Element) d.getElementsByTagName("address").item(0);
    return new String[] {((Element) d.getElementsByTagName("status").item(0)).getAttribute("status"),
        ((Element) d.getElementsByTagName("msnsubstatus").item(0)).getAttribute("substatus"),
        ((Element) d.getElementsByTagName("presentity").item(0)).getAttribute("uri"), address.getAttribute("uri"),
        ((Element) d.getElementsByTagName("atom").item(0)).getAttribute("id")};
  }

  private static byte[] captured(String name) throws IOException {
    try (InputStream in = XpidfTest.class.getResourceAsStream("/captured/" + name)) {
      return in.readAllBytes();
    }
  }

  /** Element names with their attribute names, in document order. */
  private static List<String> shape(Document d) {
    List<String> out = new ArrayList<>();
    shape(d.getDocumentElement(), out);
    return out;
  }

  private static void shape(Node n, List<String> out) {
    if (n.getNodeType() != Node.ELEMENT_NODE) {
      return;
    }
    StringBuilder s = new StringBuilder(n.getNodeName());
    NamedNodeMap attrs = n.getAttributes();
    for (int i = 0; i < attrs.getLength(); i++) {
      s.append(' ').append(attrs.item(i).getNodeName());
    }
    out.add(s.toString());
    for (Node c = n.getFirstChild(); c != null; c = c.getNextSibling()) {
      shape(c, out);
    }
  }

  @ParameterizedTest
  @EnumSource(PresenceState.class)
  void everyStateIsValidXpidf(PresenceState state) throws Exception {
    String[] r = read(Xpidf.render("sip:bob@example.com", "bob", new PresenceView(state, "a note")));
    assertEquals(Xpidf.status(state), r[0]);
    assertEquals(Xpidf.substatus(state), r[1]);
    assertEquals("sip:bob@example.com;method=SUBSCRIBE", r[2]);
    assertEquals("sip:bob@example.com;user=ip", r[3]);
    assertEquals("bob", r[4]);
  }

  @Test
  void statesMapAsPhonesShowThem() throws Exception {
    assertEquals(List.of("open", "online"), List.of(Xpidf.status(PresenceState.AVAILABLE), Xpidf.substatus(PresenceState.AVAILABLE)));
    assertEquals(List.of("open", "away"), List.of(Xpidf.status(PresenceState.AWAY), Xpidf.substatus(PresenceState.AWAY)));
    assertEquals(List.of("inuse", "onthephone"),
        List.of(Xpidf.status(PresenceState.ON_THE_PHONE), Xpidf.substatus(PresenceState.ON_THE_PHONE)));
    assertEquals(List.of("inuse", "busy"), List.of(Xpidf.status(PresenceState.DND), Xpidf.substatus(PresenceState.DND)));
    assertEquals(List.of("closed", "offline"), List.of(Xpidf.status(PresenceState.OFFLINE), Xpidf.substatus(PresenceState.OFFLINE)));
  }

  @Test
  void ourDocumentHasThePolycomCapturesShape() throws Exception {
    Document polycom = validated(captured("polycom-vvx101-onthephone.xml"));
    Document ours = validated(Xpidf.render("sip:1002@example.com", "1002", new PresenceView(PresenceState.ON_THE_PHONE, null)));
    assertEquals(shape(polycom), shape(ours));
    assertEquals(List.of("inuse", "onthephone"), List.of(
        ((Element) polycom.getElementsByTagName("status").item(0)).getAttribute("status"),
        ((Element) polycom.getElementsByTagName("msnsubstatus").item(0)).getAttribute("substatus")));
    assertEquals(shape(validated(captured("polycom-vvx101-online.xml"))),
        shape(validated(Xpidf.render("sip:1002@example.com", "1002", new PresenceView(PresenceState.AVAILABLE, null)))));
  }

  @Test
  void urisAreEscapedAndTheDtdRejectsWhatIsNotXpidf() throws Exception {
    String text = new String(Xpidf.render("sip:o\"brien@example.com", "o\"brien", new PresenceView(PresenceState.AWAY, null)),
        StandardCharsets.UTF_8);
    validated(text.getBytes(StandardCharsets.UTF_8));
    assertFalse(text.contains("o\"brien"), text);
    assertThrows(SAXParseException.class, () -> validated(text.replace("status=\"open\"", "status=\"maybe\"")
        .getBytes(StandardCharsets.UTF_8)));
  }
}
