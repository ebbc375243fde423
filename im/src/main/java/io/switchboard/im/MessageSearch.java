package io.switchboard.im;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * What a user searches for among the messages they can see: the ones sent to them (one-to-one and
 * their copy of each room message) and the one-to-one ones they sent. Checked and resolved by the
 * caller ({@link ImBusApi}); the store only narrows.
 *
 * @param user whose messages
 * @param words all must appear in the text, in any order and case (substrings: "budg" finds "Budget")
 * @param conversation one conversation only ("alice|bob", "room:team"), or null
 * @param from sent by this username only, or null
 * @param after exclusive lower bound of createdAt, or null
 * @param before exclusive upper bound of createdAt (the next page starts at the last hit), or null
 */
public record MessageSearch(String user, List<String> words, String conversation, String from, Instant after,
    Instant before, int limit) {

  static final int MAX_WORDS = 8;
  static final int MAX_QUERY_LENGTH = 200;

  public MessageSearch {
    words = List.copyOf(words);
  }

  /** The words of a query as typed: split on white space, lower-cased, duplicates dropped, in order. */
  static List<String> wordsOf(String q) {
    if (q == null || q.isBlank()) {
      return List.of();
    }
    return List.of(q.strip().toLowerCase(Locale.ROOT).split("\\s+")).stream().distinct().toList();
  }

  /**
   * A word as a regular expression matching it literally. Escaped character by character rather than
   * with {@code \Q..\E}, which the embedded store's and MongoDB's regex engines read alike only for
   * plain text.
   */
  static String literal(String word) {
    StringBuilder out = new StringBuilder(word.length() + 8);
    for (int i = 0; i < word.length(); i++) {
      char c = word.charAt(i);
      if ("\\^$.|?*+()[]{}".indexOf(c) >= 0) {
        out.append('\\');
      }
      out.append(c);
    }
    return out.toString();
  }
}
