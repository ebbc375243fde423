package io.switchboard.im;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The text of one e-mail about missed messages, pure: everything stored for the user, grouped by
 * conversation (a person, or a room by its name), oldest first, each with its first line trimmed. A
 * muted room is counted, never quoted. Plain text.
 */
record MissedMessageMail(String subject, String text) {

  /** Longest first line quoted, in characters. */
  static final int LINE = 80;
  /** Lines quoted per conversation; the rest are counted. */
  static final int LINES_PER_CONVERSATION = 3;
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

  /** @param waiting the user's stored messages, oldest first (not empty) */
  static MissedMessageMail of(List<StoredMessage> waiting, Set<String> mutedRooms, String consoleUrl) {
    Map<String, List<StoredMessage>> byConversation = new LinkedHashMap<>();
    for (StoredMessage m : waiting) {
      byConversation.computeIfAbsent(m.room() != null ? "room:" + m.room() : "from:" + m.from(), k -> new ArrayList<>()).add(m);
    }
    int n = waiting.size();
    String subject = n == 1 ? "1 message waiting for you on Switchboard" : n + " messages waiting for you on Switchboard";
    StringBuilder text = new StringBuilder();
    text.append(n == 1 ? "A message is" : n + " messages are").append(" waiting for you on Switchboard.\n\n");
    for (List<StoredMessage> messages : byConversation.values()) {
      StoredMessage first = messages.get(0);
      String count = messages.size() == 1 ? "1 message" : messages.size() + " messages";
      if (first.room() != null) {
        text.append("Room ").append(first.room()).append(", ").append(count);
        if (mutedRooms.contains(first.room())) {
          text.append(" (muted)\n\n");
          continue;
        }
        text.append(":\n");
      } else {
        text.append(sender(first)).append(", ").append(count).append(":\n");
      }
      for (StoredMessage m : messages.subList(0, Math.min(LINES_PER_CONVERSATION, messages.size()))) {
        text.append("  ").append(TIME.format(m.createdAt())).append("  ");
        if (m.room() != null) {
          text.append(sender(m)).append(": ");
        }
        text.append(firstLine(m.text())).append('\n');
      }
      if (messages.size() > LINES_PER_CONVERSATION) {
        text.append("  and ").append(messages.size() - LINES_PER_CONVERSATION).append(" more\n");
      }
      text.append('\n');
    }
    text.append("Read and answer them in the console: ").append(consoleUrl).append('\n');
    text.append("\n(You get this because you asked for e-mail about missed messages; turn it off under your account in the console.)\n");
    return new MissedMessageMail(subject, text.toString());
  }

  private static String sender(StoredMessage m) {
    String name = m.fromDisplayName();
    return name == null || name.isBlank() || name.equals(m.from()) ? m.from() : name + " (" + m.from() + ")";
  }

  /** The first non-blank line, control characters removed, at most {@link #LINE} characters. */
  static String firstLine(String text) {
    if (text == null) {
      return "";
    }
    String line = text.strip().lines().findFirst().orElse("").replaceAll("\\p{Cntrl}", "").strip();
    if (line.codePointCount(0, line.length()) <= LINE) {
      return line;
    }
    return line.substring(0, line.offsetByCodePoints(0, LINE - 1)) + "…";
  }
}
