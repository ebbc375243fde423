package io.switchboard.core.text;

/** Text put into XML we write (PIDF, dialog-info, watcher info, phones' configuration files). */
public final class Xml {

  private Xml() {
  }

  /**
   * Escaped for element content and attribute values alike. Control characters XML 1.0 does not
   * allow are dropped (a display name with a stray control code must not make a phone reject its
   * whole file, nor a watcher its NOTIFY).
   */
  public static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&apos;");
        default -> {
          if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }
}
