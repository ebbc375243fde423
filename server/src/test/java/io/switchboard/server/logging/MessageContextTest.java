package io.switchboard.server.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Our text lines' {@code [key: value, ...]} groups split into text and context. */
class MessageContextTest {

  private static void assertParsed(String message, String text, Map<String, String> context) {
    MessageContext parsed = MessageContext.parse(message);
    assertEquals(text, parsed.text(), message);
    assertEquals(context, parsed.context(), message);
  }

  @Test
  void trailingGroupBecomesTheContext() {
    assertParsed("Registration refreshed [user: alice, contact: <sip:alice@127.0.0.1:5062;transport=udp>, bindings: 1]",
        "Registration refreshed",
        Map.of("user", "alice", "contact", "<sip:alice@127.0.0.1:5062;transport=udp>", "bindings", "1"));
  }

  @Test
  void groupFollowedByADetailKeepsTheDetailInTheText() {
    assertParsed("bad CPIM [call-id: abc@host]: no To header", "bad CPIM: no To header", Map.of("call-id", "abc@host"));
  }

  @Test
  void keysOfSeveralWordsAndValuesWithCommasOrBrackets() {
    assertParsed("Provisioning refused, too many failures [from: 10.0.0.7, retry after: 30 s]",
        "Provisioning refused, too many failures", Map.of("from", "10.0.0.7", "retry after", "30 s"));
    assertParsed("Task pools [store: [done: 3, queued: 0], note: a, b and c]", "Task pools",
        Map.of("store", "[done: 3, queued: 0]", "note", "a, b and c"));
    assertParsed("Login [user: , from: 127.0.0.1]", "Login", Map.of("user", "", "from", "127.0.0.1"));
    assertParsed("SIP listening [udp+tcp: 127.0.0.1:5070, tls: off]", "SIP listening",
        Map.of("udp+tcp", "127.0.0.1:5070", "tls", "off"));
    assertParsed("Task pools [store: 8 threads, 10 done; hashing: 1 threads, 1 done]", "Task pools",
        Map.of("store", "8 threads, 10 done", "hashing", "1 threads, 1 done"));
  }

  @Test
  void whatIsNoKeyValueListStaysInTheText() {
    assertParsed("API 404 [GET /api/x]: no such API", "API 404 [GET /api/x]: no such API", Map.of());
    assertParsed("values [1, 2, 3]", "values [1, 2, 3]", Map.of());
    assertParsed("unbalanced ] and [ brackets", "unbalanced ] and [ brackets", Map.of());
    assertParsed("Store is back", "Store is back", Map.of());
    assertParsed("", "", Map.of());
    assertParsed(null, "", Map.of());
  }

  @Test
  void theLastKeyValueGroupWins() {
    assertParsed("API 400 [PUT /api/admin/log-levels] [field: level]", "API 400 [PUT /api/admin/log-levels]",
        Map.of("field", "level"));
  }
}
