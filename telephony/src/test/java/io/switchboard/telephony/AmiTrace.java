package io.switchboard.telephony;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A recorded AMI session from {@code src/test/resources/ami/}: the banner line, then blocks of
 * {@code Key: Value} lines separated by a blank line, CRLF line ends, exactly as Asterisk sent them.
 * A trace written from the documentation instead starts with {@code #} comment lines saying so.
 */
final class AmiTrace {

  final String banner;
  /** Every block after the banner, without its terminating blank line. */
  final List<String> blocks;

  private AmiTrace(String banner, List<String> blocks) {
    this.banner = banner;
    this.blocks = blocks;
  }

  static AmiTrace load(String name) {
    try (InputStream in = AmiTrace.class.getResourceAsStream("/ami/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no trace " + name);
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      // A trace written by hand (not recorded) says so in '#' lines before the banner.
      while (text.startsWith("#")) {
        text = text.substring(text.indexOf("\r\n") + 2);
      }
      int eol = text.indexOf("\r\n");
      List<String> blocks = new ArrayList<>();
      for (String block : text.substring(eol + 2).split("\r\n\r\n")) {
        if (!block.isEmpty()) {
          blocks.add(block);
        }
      }
      return new AmiTrace(text.substring(0, eol), List.copyOf(blocks));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * What followed the login response, without the Logoff's Goodbye: a scenario's events, or an
   * action's reply (its response and any list events, still carrying the recorded ActionID).
   */
  List<String> afterLogin() {
    List<String> out = new ArrayList<>();
    for (int i = 1; i < blocks.size(); i++) {
      if (!blocks.get(i).startsWith("Response: Goodbye")) {
        out.add(blocks.get(i));
      }
    }
    return out;
  }

  /** The events after login up to and including the {@code n}-th block that starts with {@code prefix}. */
  List<String> afterLoginThrough(String prefix, int n) {
    List<String> all = afterLogin();
    int seen = 0;
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).startsWith(prefix) && ++seen == n) {
        return all.subList(0, i + 1);
      }
    }
    throw new IllegalArgumentException("fewer than " + n + " blocks starting with " + prefix);
  }
}
