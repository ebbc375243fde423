package io.switchboard.presence;

import io.switchboard.core.text.Xml;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Renders presence as PIDF (RFC 3863) with the RPID person activities (RFC 4480) and the data
 * model's person element (RFC 4479). The entity and the contact name the presentity's address of
 * record, never the watcher (Asterisk's PIDF gets that wrong). Also reads what devices PUBLISH. Pure.
 */
public final class Pidf {

  public static final String CONTENT_TYPE = "application/pidf+xml";

  private Pidf() {
  }

  public static byte[] render(String presentityUri, PresenceView view) {
    StringBuilder x = new StringBuilder(512);
    x.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .append("<presence xmlns=\"urn:ietf:params:xml:ns:pidf\"")
        .append(" xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\"")
        .append(" xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\"")
        .append(" entity=\"").append(Xml.escape(presentityUri)).append("\">\n")
        .append("  <tuple id=\"sb-tuple\">\n")
        .append("    <status><basic>").append(view.open() ? "open" : "closed").append("</basic></status>\n")
        .append("    <contact>").append(Xml.escape(presentityUri)).append("</contact>\n");
    if (view.note() != null) {
      x.append("    <note>").append(Xml.escape(view.note())).append("</note>\n");
    }
    x.append("  </tuple>\n");
    String activity = activity(view.state());
    if (activity != null || view.note() != null) {
      x.append("  <dm:person id=\"sb-person\">\n");
      if (activity != null) {
        x.append("    <rpid:activities><rpid:").append(activity).append("/></rpid:activities>\n");
      }
      if (view.note() != null) {
        x.append("    <dm:note>").append(Xml.escape(view.note())).append("</dm:note>\n");
      }
      x.append("  </dm:person>\n");
    }
    x.append("</presence>\n");
    return x.toString().getBytes(StandardCharsets.UTF_8);
  }

  static final String NS = "urn:ietf:params:xml:ns:pidf";
  static final String RPID = "urn:ietf:params:xml:ns:pidf:rpid";
  /** RFC 4480 activities that mean the person is not at their desk. */
  private static final Set<String> AWAY = Set.of("away", "appointment", "breakfast", "dinner", "holiday", "in-transit",
      "lunch", "meal", "permanent-absence", "shopping", "sleeping", "travel", "vacation");

  /**
   * One parser per thread, made once: a factory looked up and configured per PUBLISH cost about as
   * much CPU as building all the NOTIFYs of that PUBLISH to 50 watchers (JFR of bench E1). A
   * DocumentBuilder is not thread-safe; reset() before each use.
   */
  private static final ThreadLocal<DocumentBuilder> BUILDERS = ThreadLocal.withInitial(Pidf::newBuilder);

  private static DocumentBuilder newBuilder() {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setNamespaceAware(true);
      // Published documents come from phones: no DTDs, no external entities.
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setExpandEntityReferences(false);
      return f.newDocumentBuilder();
    } catch (javax.xml.parsers.ParserConfigurationException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reads a published PIDF document into the state it announces: closed is offline; an RPID
   * activity on-the-phone, busy (or meeting, presentation) or an away-like one wins over open.
   *
   * @throws IllegalArgumentException when it is not PIDF
   */
  public static PresenceView parse(byte[] xml) {
    Document doc;
    try {
      DocumentBuilder builder = BUILDERS.get();
      builder.reset();
      doc = builder.parse(new ByteArrayInputStream(xml));
    } catch (Exception e) {
      throw new IllegalArgumentException("not well-formed XML: " + e.getMessage(), e);
    }
    Element root = doc.getDocumentElement();
    if (!"presence".equals(root.getLocalName()) || !NS.equals(root.getNamespaceURI())) {
      throw new IllegalArgumentException("not a PIDF presence document");
    }
    boolean open = false;
    NodeList basics = doc.getElementsByTagNameNS(NS, "basic");
    for (int i = 0; i < basics.getLength(); i++) {
      open |= "open".equalsIgnoreCase(basics.item(i).getTextContent().trim());
    }
    String note = firstText(doc.getElementsByTagNameNS("*", "note"));
    if (!open) {
      return new PresenceView(PresenceState.OFFLINE, note);
    }
    PresenceState state = PresenceState.AVAILABLE;
    NodeList activities = doc.getElementsByTagNameNS(RPID, "activities");
    for (int i = 0; i < activities.getLength(); i++) {
      for (Node n = activities.item(i).getFirstChild(); n != null; n = n.getNextSibling()) {
        if (n.getNodeType() != Node.ELEMENT_NODE || n.getLocalName() == null) {
          continue;
        }
        String a = n.getLocalName().toLowerCase(Locale.ROOT);
        if (a.equals("on-the-phone")) {
          state = PresenceState.ON_THE_PHONE;
        } else if ((a.equals("busy") || a.equals("meeting") || a.equals("presentation")) && state != PresenceState.ON_THE_PHONE) {
          state = PresenceState.BUSY;
        } else if (AWAY.contains(a) && state == PresenceState.AVAILABLE) {
          state = PresenceState.AWAY;
        }
      }
    }
    return new PresenceView(state, note);
  }

  private static String firstText(NodeList nodes) {
    for (int i = 0; i < nodes.getLength(); i++) {
      String t = nodes.item(i).getTextContent().trim();
      if (!t.isEmpty()) {
        return t.length() > 200 ? t.substring(0, 200) : t;
      }
    }
    return null;
  }

  /** RFC 4480 has no do-not-disturb or ringing activity: busy and on-the-phone are the closest. */
  static String activity(PresenceState state) {
    return switch (state) {
      case AWAY -> "away";
      case BUSY, DND -> "busy";
      case ON_THE_PHONE, RINGING -> "on-the-phone";
      case AVAILABLE, OFFLINE -> null;
    };
  }
}
