package io.switchboard.im;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The mail's text, pure: senders, first lines trimmed, rooms by name, a muted room counted and never quoted. */
class MissedMessageMailTest {

  private static StoredMessage message(String from, String display, String room, String text, int minute) {
    return new StoredMessage("id-" + minute, from, display, "bob", room,
        room == null ? StoredMessage.conversationOf(from, "bob") : "room:" + room, "text/plain",
        text.getBytes(StandardCharsets.UTF_8), text, MessageState.STORED,
        Instant.parse("2026-11-30T10:00:00Z").plusSeconds(60L * minute), null, 0);
  }

  @Test
  void namesSendersAndRoomsQuotesFirstLinesAndNeverAMutedRoom() {
    String longLine = "x".repeat(200);
    MissedMessageMail mail = MissedMessageMail.of(List.of(
        message("alice", "Alice", null, "Hello Bob\nsecond line stays out", 1),
        message("carol", "Carol", "support", "The printer is on fire", 2),
        message("dave", "Dave", "secret", "the launch code is 0000", 3),
        message("dave", "Dave", "secret", "and again", 4),
        message("alice", "Alice", null, longLine, 5)), Set.of("secret"), "https://console.example/");

    assertEquals("5 messages waiting for you on Switchboard", mail.subject());
    String text = mail.text();
    assertTrue(text.contains("Alice (alice), 2 messages:"), text);
    assertTrue(text.contains("Hello Bob") && !text.contains("second line stays out"), text);
    assertTrue(text.contains("Room support, 1 message:") && text.contains("Carol (carol): The printer is on fire"), text);
    assertTrue(text.contains("Room secret, 2 messages (muted)"), text);
    assertFalse(text.contains("launch code") || text.contains("and again"), text);
    assertTrue(text.contains("x".repeat(79) + "…") && !text.contains("x".repeat(80)), text);
    assertTrue(text.contains("https://console.example/"), text);
  }

  @Test
  void firstLineDropsControlCharactersAndCountsCodePoints() {
    assertEquals("ab", MissedMessageMail.firstLine("\n  a\u0007b \r\nc"));
    String emoji = "😀".repeat(100);
    assertEquals("😀".repeat(79) + "…", MissedMessageMail.firstLine(emoji));
  }
}
