package io.switchboard.server.logging;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a log message written in our style, {@code Registration refreshed [user: alice, bindings: 1]},
 * into its text and its context keys. Pure; a message without such a group comes back whole.
 *
 * <p>The context group is the last bracketed group whose content is a list of {@code key: value}
 * separated by {@code ", "} (brackets inside values may nest). It need not end the message: in
 * {@code bad CPIM [call-id: x]: no To header} the text is {@code bad CPIM: no To header}. A group that
 * is not such a list ({@code [GET /api/x]}) is left in the text.
 */
public record MessageContext(String text, Map<String, String> context) {

  /** A key: a word, or up to four words ("retry after"), of letters, digits, '-', '_', '+' or '.'. */
  private static final Pattern KEY = Pattern.compile("[A-Za-z][\\w.+-]*(?: [A-Za-z][\\w.+-]*){0,3}");

  public static MessageContext parse(String message) {
    if (message == null || message.indexOf('[') < 0) {
      return new MessageContext(message == null ? "" : message, Map.of());
    }
    int end = message.length();
    while (true) {
      int close = message.lastIndexOf(']', end - 1);
      if (close < 0) {
        return new MessageContext(message, Map.of());
      }
      int open = matchingOpen(message, close);
      if (open < 0) {
        end = close;
        continue;
      }
      Map<String, String> pairs = pairs(message.substring(open + 1, close));
      if (pairs != null) {
        String before = message.substring(0, open).stripTrailing();
        String after = message.substring(close + 1);
        return new MessageContext(before + after, pairs);
      }
      end = close;
    }
  }

  /** Index of the '[' that the ']' at {@code close} closes, or -1. */
  private static int matchingOpen(String s, int close) {
    int depth = 0;
    for (int i = close; i >= 0; i--) {
      char c = s.charAt(i);
      if (c == ']') {
        depth++;
      } else if (c == '[' && --depth == 0) {
        return i;
      }
    }
    return -1;
  }

  /** {@code k: v, k2: v2} as an ordered map, or null when the content is not such a list. */
  private static Map<String, String> pairs(String content) {
    Map<String, String> out = new LinkedHashMap<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i <= content.length(); i++) {
      char c = i < content.length() ? content.charAt(i) : ',';
      if (c == '[') {
        depth++;
      } else if (c == ']') {
        depth--;
      } else if (depth == 0 && (c == ',' || c == ';') && (i == content.length() || startsEntry(content, i + 1))) {
        if (!put(out, content.substring(start, i))) {
          return null;
        }
        start = i + 2;
        i++;
      }
    }
    return out.isEmpty() ? null : out;
  }

  /** Whether ", key: " (or "; key: ") starts at {@code at} (the character after the comma). */
  private static boolean startsEntry(String content, int at) {
    if (at >= content.length() || content.charAt(at) != ' ') {
      return false;
    }
    int colon = content.indexOf(": ", at + 1);
    return colon > 0 && KEY.matcher(content.substring(at + 1, colon)).matches();
  }

  private static boolean put(Map<String, String> out, String entry) {
    int colon = entry.indexOf(": ");
    if (colon < 0) {
      // "k:" with an empty value, at the end of the group
      if (entry.endsWith(":") && KEY.matcher(entry.substring(0, entry.length() - 1)).matches()) {
        out.put(entry.substring(0, entry.length() - 1), "");
        return true;
      }
      return false;
    }
    Matcher key = KEY.matcher(entry.substring(0, colon));
    if (!key.matches()) {
      return false;
    }
    out.put(entry.substring(0, colon), entry.substring(colon + 2));
    return true;
  }
}
