package io.switchboard.presence;

import io.switchboard.core.text.Xml;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

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
   * One streaming reader factory per thread, made once, its reader reused ({@code reuse-instance}): a
   * PIDF of a few elements read as a stream took 7 µs where building its DOM took 12 µs, and a quarter
   * of the bytes the server allocated per PUBLISH were the DOM parse's (bench E2). A factory and
   * its reader are not thread-safe.
   */
  private static final ThreadLocal<XMLInputFactory> READERS = ThreadLocal.withInitial(Pidf::newReaderFactory);

  /** What phones and clients send is untrusted: no DTD (a document with one is refused), no external entities. */
  private static XMLInputFactory newReaderFactory() {
    XMLInputFactory f = XMLInputFactory.newDefaultFactory();
    f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
    f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    try {
      f.setProperty("reuse-instance", true);
    } catch (IllegalArgumentException e) {
      // another implementation: a new reader per document, the same result
    }
    return f;
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
    Read read = new Read();
    XMLStreamReader r = null;
    try {
      r = READERS.get().createXMLStreamReader(new ByteArrayInputStream(xml));
      read.all(r);
    } catch (XMLStreamException | RuntimeException e) {
      if (e instanceof NotPidf n) {
        throw n;
      }
      throw new IllegalArgumentException("not well-formed XML: " + e.getMessage(), e);
    } finally {
      if (r != null) {
        try {
          r.close();
        } catch (XMLStreamException e) {
          // nothing to release: the input is an array
        }
      }
    }
    String note = read.personNote != null ? read.personNote : read.anyNote;
    PresenceState activity = read.activity;
    if (activity == null && note != null) {
      activity = named(note);
    }
    PresenceState state;
    if (activity == null) {
      state = read.open ? PresenceState.AVAILABLE : PresenceState.OFFLINE;
    } else if (read.open || activity == PresenceState.ON_THE_PHONE) {
      state = activity;
    } else {
      state = PresenceState.DND;
    }
    if (state == PresenceState.DND && note == null) {
      note = "Do not disturb";
    }
    return new PresenceView(state, note);
  }

  private static final class NotPidf extends IllegalArgumentException {
    NotPidf() {
      super("not a PIDF presence document");
    }
  }

  /**
   * What one document says, read as a stream: any {@code basic} of PIDF open; the first note (in
   * document order, any namespace) of a person element with text, else the first note with text; the
   * strongest activity of the children of RPID's {@code activities}. A text is an element's whole text,
   * its descendants' included (as the DOM's text content).
   */
  private static final class Read {
    boolean open;
    String personNote;
    String anyNote;
    PresenceState activity;

    private enum Kind { BASIC, ACTIVITY, NOTE, PERSON_NOTE }

    /** An open element whose text is wanted; notes numbered in the order they start. */
    private record Capture(Kind kind, int note, int depth, StringBuilder text) {
    }

    private final List<Capture> capturing = new ArrayList<>(4);
    /** Local names of the open elements, and whether each is an RPID activities element. */
    private final List<String> names = new ArrayList<>(8);
    private final List<Boolean> activities = new ArrayList<>(8);
    private int notesStarted;
    private int personNoteAt = Integer.MAX_VALUE;
    private int anyNoteAt = Integer.MAX_VALUE;

    void all(XMLStreamReader r) throws XMLStreamException {
      boolean root = true;
      while (r.hasNext()) {
        switch (r.next()) {
          case XMLStreamConstants.DTD -> throw new XMLStreamException("a DTD is not allowed");
          case XMLStreamConstants.START_ELEMENT -> {
            String ns = r.getNamespaceURI();
            String name = r.getLocalName();
            if (root && (!"presence".equals(name) || !NS.equals(ns))) {
              throw new NotPidf();
            }
            root = false;
            int depth = names.size();
            boolean parentActivities = depth > 0 && activities.get(depth - 1);
            if (parentActivities) {
              String lower = name.toLowerCase(Locale.ROOT);
              if (lower.equals("activity") || lower.equals("other")) {
                capturing.add(new Capture(Kind.ACTIVITY, -1, depth, new StringBuilder()));
              } else {
                activity = stronger(activity, named(lower));
              }
            }
            if ("basic".equals(name) && NS.equals(ns)) {
              capturing.add(new Capture(Kind.BASIC, -1, depth, new StringBuilder()));
            } else if ("note".equals(name)) {
              Kind kind = depth > 0 && "person".equals(names.get(depth - 1)) ? Kind.PERSON_NOTE : Kind.NOTE;
              capturing.add(new Capture(kind, notesStarted++, depth, new StringBuilder()));
            }
            names.add(name);
            activities.add("activities".equals(name) && (RPID.equals(ns) || RPID_STATUS.equals(ns)));
          }
          case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> {
            for (Capture c : capturing) {
              c.text().append(r.getTextCharacters(), r.getTextStart(), r.getTextLength());
            }
          }
          case XMLStreamConstants.END_ELEMENT -> {
            int depth = names.size() - 1;
            names.remove(depth);
            activities.remove(depth);
            for (int i = capturing.size() - 1; i >= 0; i--) {
              if (capturing.get(i).depth() == depth) {
                closed(capturing.remove(i));
              }
            }
          }
          default -> {
          }
        }
      }
    }

    private void closed(Capture c) {
      String text = c.text().toString();
      switch (c.kind()) {
        case BASIC -> open |= "open".equalsIgnoreCase(text.trim());
        case ACTIVITY -> activity = stronger(activity, named(text));
        case NOTE, PERSON_NOTE -> {
          String clipped = clip(text);
          if (clipped != null && c.note() < anyNoteAt) {
            anyNote = clipped;
            anyNoteAt = c.note();
          }
          if (clipped != null && c.kind() == Kind.PERSON_NOTE && c.note() < personNoteAt) {
            personNote = clipped;
            personNoteAt = c.note();
          }
        }
      }
    }
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
