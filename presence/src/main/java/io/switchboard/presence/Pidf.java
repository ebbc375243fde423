package io.switchboard.presence;

import io.switchboard.core.text.Xml;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.xml.parsers.DocumentBuilder;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Renders presence as PIDF (RFC 3863) with the RPID person activities (RFC 4480) and the data
 * model's person element (RFC 4479), one tuple and one {@code dm:device} per device of the presentity
 * (the device in use first, its user input active), or reduced to RFC 3863 alone for phones that read nothing else. The entity and the contact name the presentity's address of
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
        .append(" entity=\"").append(Xml.escape(presentityUri)).append("\">\n");
    String basic = basicOpen(view.state()) ? "open" : "closed";
    if (view.devices().isEmpty()) {
      x.append("  <tuple id=\"sb-tuple\">\n")
          .append("    <status><basic>").append(basic).append("</basic></status>\n")
          .append("    <contact>").append(Xml.escape(presentityUri)).append("</contact>\n");
      if (view.note() != null) {
        x.append("    <note>").append(Xml.escape(view.note())).append("</note>\n");
      }
      x.append("  </tuple>\n");
    }
    List<DeviceTuple> devices = view.devices();
    for (int i = 0; i < devices.size(); i++) {
      DeviceTuple d = devices.get(i);
      // RFC 4479: a tuple (the service) names its device by deviceID; RFC 4480's class groups them.
      x.append("  <tuple id=\"sb-device-").append(i + 1).append("\">\n")
          .append("    <status><basic>").append(basic).append("</basic></status>\n")
          .append("    <rpid:class>").append(d.kind().wireName()).append("</rpid:class>\n")
          .append("    <dm:deviceID>").append(Xml.escape(deviceUrn(d))).append("</dm:deviceID>\n")
          .append("    <contact priority=\"").append(d.inUse() ? "1.0" : "0.5").append("\">")
          .append(Xml.escape(presentityUri)).append("</contact>\n");
      if (view.note() != null) {
        x.append("    <note>").append(Xml.escape(view.note())).append("</note>\n");
      }
      x.append("  </tuple>\n");
    }
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
    for (int i = 0; i < devices.size(); i++) {
      DeviceTuple d = devices.get(i);
      // The device in use is the one with user input (RFC 4480 §3.8): active, the others idle.
      x.append("  <dm:device id=\"sb-dev-").append(i + 1).append("\">\n")
          .append("    <rpid:class>").append(d.kind().wireName()).append("</rpid:class>\n")
          .append("    <rpid:user-input>").append(d.inUse() ? "active" : "idle").append("</rpid:user-input>\n")
          .append("    <dm:deviceID>").append(Xml.escape(deviceUrn(d))).append("</dm:deviceID>\n")
          .append("    <dm:note>").append(label(d)).append("</dm:note>\n")
          .append("  </dm:device>\n");
    }
    x.append("</presence>\n");
    return x.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** A device's URN (RFC 4479 §3.4.1 asks for a URN): {@code urn:x-switchboard:device:<id>}, the id percent-encoded. */
  static String deviceUrn(DeviceTuple d) {
    return "urn:x-switchboard:device:" + java.net.URLEncoder.encode(d.id(), StandardCharsets.UTF_8);
  }

  /** What a person reads of the device: "Desk phone (in use)". */
  private static String label(DeviceTuple d) {
    String name = switch (d.kind()) {
      case DESK_PHONE -> "Desk phone";
      case MOBILE -> "Mobile";
      case SOFTPHONE -> "Softphone";
      case WEB -> "Web console";
    };
    return d.inUse() ? name + " (in use)" : name;
  }

  /**
   * The same state in RFC 3863 alone, for phones that read no extension: one tuple, its basic status
   * and a note that names the state, since the note is all such a phone shows beyond open and
   * closed. Closed, as Asterisk's PIDF says it to the same phones, also for do-not-disturb and a call
   * (not able to take another one); open for away and busy (reachable, if reluctantly).
   */
  public static byte[] renderReduced(String presentityUri, PresenceView view) {
    StringBuilder x = new StringBuilder(320);
    String note = reducedNote(view);
    x.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .append("<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"").append(Xml.escape(presentityUri))
        .append("\">\n")
        .append("  <tuple id=\"sb-tuple\">\n")
        .append("    <status><basic>").append(reducedOpen(view.state()) ? "open" : "closed").append("</basic></status>\n")
        .append("    <contact>").append(Xml.escape(presentityUri)).append("</contact>\n");
    if (note != null) {
      x.append("    <note>").append(Xml.escape(note)).append("</note>\n");
    }
    x.append("  </tuple>\n</presence>\n");
    return x.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The basic status of the full document: open unless offline or do-not-disturb. Do-not-disturb is
   * closed with its activity, as Linphone publishes it and reads it back: not to be reached (RFC 3863
   * closed), though there.
   */
  static boolean basicOpen(PresenceState state) {
    return state != PresenceState.OFFLINE && state != PresenceState.DND;
  }

  static boolean reducedOpen(PresenceState state) {
    return switch (state) {
      case AVAILABLE, AWAY, BUSY -> true;
      case DND, ON_THE_PHONE, RINGING, OFFLINE, IN_MEETING -> false;
    };
  }

  /** The state's name and the user's note: "Away: lunch", "On the phone", "Do not disturb". */
  static String reducedNote(PresenceView view) {
    String label = label(view.state());
    String note = view.note();
    if (label == null || note != null && note.equalsIgnoreCase(label)) {
      return note;
    }
    return note == null ? label : label + ": " + note;
  }

  private static String label(PresenceState state) {
    return switch (state) {
      case AWAY -> "Away";
      case BUSY -> "Busy";
      case DND -> "Do not disturb";
      case ON_THE_PHONE -> "On the phone";
      case RINGING -> "Ringing";
      case IN_MEETING -> "In a meeting";
      case AVAILABLE, OFFLINE -> null;
    };
  }

  static final String NS = "urn:ietf:params:xml:ns:pidf";
  static final String RPID = "urn:ietf:params:xml:ns:pidf:rpid";
  /** The RPID drafts before RFC 4480 (eyeBeam, Bria, older Polycom): activities inside a tuple's status. */
  static final String RPID_STATUS = "urn:ietf:params:xml:ns:pidf:status:rpid-status";
  static final String DATA_MODEL = "urn:ietf:params:xml:ns:pidf:data-model";
  /** RFC 4480 activities that mean the person is not at their desk. */
  private static final Set<String> AWAY = Set.of("away", "appointment", "breakfast", "dinner", "holiday", "in-transit",
      "lunch", "meal", "permanent-absence", "shopping", "sleeping", "travel", "vacation", "be-right-back",
      "out-to-lunch");
  /** RFC 4480 activities that mean the person is there but occupied. */
  private static final Set<String> BUSY = Set.of("busy", "meeting", "presentation", "performance");

  /**
   * One parser per thread, made once: a factory looked up and configured per PUBLISH cost about as
   * much CPU as building all the NOTIFYs of that PUBLISH to 50 watchers (JFR of bench E1). A
   * DocumentBuilder is not thread-safe; reset() before each use.
   */
  private static final ThreadLocal<DocumentBuilder> BUILDERS = ThreadLocal.withInitial(Pidf::newBuilder);

  private static DocumentBuilder newBuilder() {
    return Xml.untrustedParser();
  }

  /**
   * Reads a published PIDF document the way the common clients write it, merged as RFC 4479 has it:
   * the services (tuples) say whether the person can be reached, open when any tuple is open; the
   * person says what they are doing, from every RPID activity in the document (RFC 4480 in
   * {@code dm:person} or {@code rpid:person}, or the earlier drafts' {@code es:activities} inside a
   * tuple's status), the strongest first: do-not-disturb, on the phone, busy, away. Without any
   * activity a note that is just a state's name ("Do Not Disturb", "Busy", "Away", "On the phone")
   * stands for it, as phones that publish plain PIDF say it. Then:
   *
   * <ul>
   *   <li>open, no activity: available; open with an activity: that activity;</li>
   *   <li>closed, no activity: offline;</li>
   *   <li>closed with an activity: do not disturb (the person is there, and said not to be reached:
   *       Linphone's "Do not disturb" is closed with {@code <rpid:away/>}), or on the phone for a
   *       call.</li>
   * </ul>
   *
   * The note is the person's, else a tuple's, else the document's (200 characters at most).
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
    String note = personNote(doc);
    if (note == null) {
      note = firstText(doc.getElementsByTagNameNS("*", "note"));
    }
    PresenceState activity = null;
    for (String ns : new String[] {RPID, RPID_STATUS}) {
      NodeList activities = doc.getElementsByTagNameNS(ns, "activities");
      for (int i = 0; i < activities.getLength(); i++) {
        for (Node n = activities.item(i).getFirstChild(); n != null; n = n.getNextSibling()) {
          if (n.getNodeType() == Node.ELEMENT_NODE && n.getLocalName() != null) {
            activity = stronger(activity, activity(n));
          }
        }
      }
    }
    if (activity == null && note != null) {
      activity = named(note);
    }
    PresenceState state;
    if (activity == null) {
      state = open ? PresenceState.AVAILABLE : PresenceState.OFFLINE;
    } else if (open || activity == PresenceState.ON_THE_PHONE) {
      state = activity;
    } else {
      state = PresenceState.DND;
    }
    if (state == PresenceState.DND && note == null) {
      note = "Do not disturb";
    }
    return new PresenceView(state, note);
  }

  /** One activity element: RFC 4480's are named by the element, the drafts' and {@code other} by their text. */
  private static PresenceState activity(Node n) {
    String name = n.getLocalName().toLowerCase(Locale.ROOT);
    if (name.equals("activity") || name.equals("other")) {
      return named(n.getTextContent());
    }
    return named(name);
  }

  /** A state's name as clients spell it, in an activity or a note; null for anything else. */
  static PresenceState named(String text) {
    String a = text.trim().toLowerCase(Locale.ROOT).replace('_', '-').replace(' ', '-');
    if (a.equals("dnd") || a.equals("do-not-disturb")) {
      return PresenceState.DND;
    }
    if (a.equals("on-the-phone") || a.equals("onthephone")) {
      return PresenceState.ON_THE_PHONE;
    }
    if (BUSY.contains(a) || a.equals("in-a-meeting")) {
      return PresenceState.BUSY;
    }
    if (AWAY.contains(a) || a.equals("berightback") || a.equals("outtolunch")) {
      return PresenceState.AWAY;
    }
    return null;
  }

  /** Do-not-disturb, then on the phone, then busy, then away. */
  private static PresenceState stronger(PresenceState a, PresenceState b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return rank(b) > rank(a) ? b : a;
  }

  private static int rank(PresenceState s) {
    return switch (s) {
      case DND -> 4;
      case ON_THE_PHONE -> 3;
      case BUSY -> 2;
      case AWAY -> 1;
      default -> 0;
    };
  }

  /** The first note of a person element (RFC 4479's dm:note, or a note RPID put there). */
  private static String personNote(Document doc) {
    NodeList notes = doc.getElementsByTagNameNS("*", "note");
    for (int i = 0; i < notes.getLength(); i++) {
      Node parent = notes.item(i).getParentNode();
      if (parent != null && "person".equals(parent.getLocalName())) {
        String t = clip(notes.item(i).getTextContent());
        if (t != null) {
          return t;
        }
      }
    }
    return null;
  }

  private static String firstText(NodeList nodes) {
    for (int i = 0; i < nodes.getLength(); i++) {
      String t = clip(nodes.item(i).getTextContent());
      if (t != null) {
        return t;
      }
    }
    return null;
  }

  private static String clip(String text) {
    String t = text.trim();
    return t.isEmpty() ? null : t.length() > 200 ? t.substring(0, 200) : t;
  }

  /** RFC 4480 has no do-not-disturb or ringing activity: busy and on-the-phone are the closest. */
  static String activity(PresenceState state) {
    return switch (state) {
      case AWAY -> "away";
      case BUSY, DND -> "busy";
      case ON_THE_PHONE, RINGING -> "on-the-phone";
      case IN_MEETING -> "meeting";
      case AVAILABLE, OFFLINE -> null;
    };
  }
}
