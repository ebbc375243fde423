package io.switchboard.presence;

import java.nio.charset.StandardCharsets;

/**
 * Renders presence as PIDF (RFC 3863) with the RPID person activities (RFC 4480) and the data
 * model's person element (RFC 4479). The entity and the contact name the presentity's address of
 * record, never the watcher (Asterisk's PIDF gets that wrong). Pure.
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
        .append(" entity=\"").append(escape(presentityUri)).append("\">\n")
        .append("  <tuple id=\"sb-tuple\">\n")
        .append("    <status><basic>").append(view.open() ? "open" : "closed").append("</basic></status>\n")
        .append("    <contact>").append(escape(presentityUri)).append("</contact>\n");
    if (view.note() != null) {
      x.append("    <note>").append(escape(view.note())).append("</note>\n");
    }
    x.append("  </tuple>\n");
    String activity = activity(view.state());
    if (activity != null || view.note() != null) {
      x.append("  <dm:person id=\"sb-person\">\n");
      if (activity != null) {
        x.append("    <rpid:activities><rpid:").append(activity).append("/></rpid:activities>\n");
      }
      if (view.note() != null) {
        x.append("    <dm:note>").append(escape(view.note())).append("</dm:note>\n");
      }
      x.append("  </dm:person>\n");
    }
    x.append("</presence>\n");
    return x.toString().getBytes(StandardCharsets.UTF_8);
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

  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&apos;");
        default -> {
          if (c >= 0x20 || c == '\t' || c == '\n') {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }
}
