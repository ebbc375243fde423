package io.switchboard.im;

import io.switchboard.api.im.BroadcastAudience;
import io.switchboard.api.im.BroadcastInfo;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * A notice from an administrator or broadcaster, as kept in the store (collection {@code broadcasts}).
 *
 * @param recipients the usernames it was sent to, resolved when it was sent; null: everyone (users added
 *     later see it in the ticker too)
 * @param expiresAt null: until withdrawn
 * @param dismissedBy who took it off their ticker
 */
record Broadcast(String id, String text, String from, BroadcastAudience audience, List<String> recipients,
    Instant createdAt, Instant expiresAt, String replaces, State state, Set<String> dismissedBy) {

  /** Only a CURRENT broadcast is shown or delivered; the others are kept as a record of what was sent. */
  enum State { CURRENT, WITHDRAWN, REPLACED }

  /** The conversation its copies (one stored message per recipient) share: "broadcast:<id>". */
  static final String CONVERSATION_PREFIX = "broadcast:";

  Broadcast {
    recipients = recipients == null ? null : List.copyOf(recipients);
    dismissedBy = dismissedBy == null ? Set.of() : Set.copyOf(dismissedBy);
  }

  boolean currentAt(Instant now) {
    return state == State.CURRENT && (expiresAt == null || expiresAt.isAfter(now));
  }

  boolean isFor(String username) {
    return recipients == null || recipients.contains(username);
  }

  String conversation() {
    return CONVERSATION_PREFIX + id;
  }

  /** The id of the broadcast a stored message is a copy of, or null for any other message. */
  static String copyOf(StoredMessage m) {
    String c = m.conversation();
    return c != null && c.startsWith(CONVERSATION_PREFIX) ? c.substring(CONVERSATION_PREFIX.length()) : null;
  }

  BroadcastInfo toBus(String viewer) {
    return new BroadcastInfo(id, text, from, audience, createdAt, expiresAt, replaces, viewer != null && dismissedBy.contains(viewer));
  }
}
