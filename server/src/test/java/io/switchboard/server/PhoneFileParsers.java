package io.switchboard.server;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;

/** Reads phone files the way phones do: Yealink's key = value lines, the others' XML. */
final class PhoneFileParsers {

  private PhoneFileParsers() {
  }

  /** Yealink: {@code key = value} per line; {@code #} starts a comment. Fails on a line that is neither. */
  static Map<String, String> keyValues(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : text.split("\r?\n")) {
      String t = line.strip();
      if (t.isEmpty() || t.startsWith("#")) {
        continue;
      }
      int eq = t.indexOf('=');
      if (eq <= 0) {
        throw new AssertionError("not a key = value line: " + line);
      }
      String key = t.substring(0, eq).strip();
      if (out.put(key, t.substring(eq + 1).strip()) != null) {
        throw new AssertionError("key given twice: " + key);
      }
    }
    return out;
  }

  /** A well-formed XML document; fails otherwise. */
  static Document xml(String text) {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      return f.newDocumentBuilder().parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new AssertionError("not well-formed XML: " + e.getMessage() + "\n" + text, e);
    }
  }
}
