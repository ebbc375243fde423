package io.switchboard.core.text;

/**
 * Text put into XML we write (PIDF, dialog-info, watcher info, phones' configuration files), and the
 * parser for XML we are sent.
 */
public final class Xml {

  private Xml() {
  }

  /**
   * A parser for what phones and clients send (PIDF, IMDN): namespace-aware, no DTDs, no external
   * entities, a fatal error thrown rather than printed on stderr as the default handler does. Not
   * thread-safe: one per use, or one per thread with {@code reset()} before each use (which also drops
   * the error handler).
   */
  public static javax.xml.parsers.DocumentBuilder untrustedParser() {
    try {
      javax.xml.parsers.DocumentBuilderFactory f = javax.xml.parsers.DocumentBuilderFactory.newInstance();
      f.setNamespaceAware(true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setFeature(javax.xml.XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setExpandEntityReferences(false);
      javax.xml.parsers.DocumentBuilder builder = f.newDocumentBuilder();
      builder.setErrorHandler(new org.xml.sax.helpers.DefaultHandler() {
        @Override
        public void fatalError(org.xml.sax.SAXParseException e) throws org.xml.sax.SAXException {
          throw e;
        }
      });
      return builder;
    } catch (javax.xml.parsers.ParserConfigurationException e) {
      throw new IllegalStateException(e);
    }
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
