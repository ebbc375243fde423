package io.switchboard.im;

import io.switchboard.api.ImMessage;
import io.switchboard.api.im.FileRef;
import java.time.Instant;

/**
 * A message for one recipient, as kept in the store: the original bytes and type (text/plain or
 * message/cpim) for devices, the readable text for the history.
 *
 * @param conversation "alice|bob" (sorted) for two people, "room:name" for a room
 * @param room the room's name, or null
 * @param displayedAt when the recipient saw it (their console, or an IMDN display notification), or null
 * @param file the file it carries (its text then names the file and its link), or null
 */
public record StoredMessage(String id, String from, String fromDisplayName, String to, String room,
    String conversation, String contentType, byte[] body, String text, MessageState state, Instant createdAt,
    Instant deliveredAt, int attempts, Instant displayedAt, FileRef file) {

  /** A message with a file nobody has seen yet. */
  public StoredMessage(String id, String from, String fromDisplayName, String to, String room, String conversation,
      String contentType, byte[] body, String text, MessageState state, Instant createdAt, Instant deliveredAt,
      int attempts, FileRef file) {
    this(id, from, fromDisplayName, to, room, conversation, contentType, body, text, state, createdAt, deliveredAt,
        attempts, null, file);
  }

  /** A message without a file, nobody has seen yet. */
  public StoredMessage(String id, String from, String fromDisplayName, String to, String room, String conversation,
      String contentType, byte[] body, String text, MessageState state, Instant createdAt, Instant deliveredAt,
      int attempts) {
    this(id, from, fromDisplayName, to, room, conversation, contentType, body, text, state, createdAt, deliveredAt,
        attempts, null, null);
  }

  public static String conversationOf(String a, String b) {
    return a.compareTo(b) <= 0 ? a + "|" + b : b + "|" + a;
  }

  public boolean isCpim() {
    return contentType.toLowerCase().startsWith(Cpim.CONTENT_TYPE);
  }

  public StoredMessage withState(MessageState s, Instant delivered) {
    return new StoredMessage(id, from, fromDisplayName, to, room, conversation, contentType, body, text, s, createdAt,
        delivered, attempts, displayedAt, file);
  }

  public StoredMessage withDisplayed(Instant at) {
    return new StoredMessage(id, from, fromDisplayName, to, room, conversation, contentType, body, text, state, createdAt,
        deliveredAt, attempts, at, file);
  }

  public ImMessage toBus() {
    return new ImMessage(id, from, fromDisplayName, to, room, text, state.name(), createdAt, deliveredAt,
        displayedAt, file);
  }
}
