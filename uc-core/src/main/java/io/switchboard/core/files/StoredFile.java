package io.switchboard.core.files;

import java.time.Instant;
import java.util.List;

/**
 * A file sent in a conversation, as the store keeps it (the bytes apart).
 *
 * @param id 128 random bits, URL-safe base64: the file's name in links
 * @param type the type served: the one the uploader claimed if its first bytes agree, else
 *     {@code application/octet-stream} ({@link FileTypes#checked})
 * @param owner the uploader's username: deleting that user deletes the file
 * @param token 128 random bits, URL-safe: authorises a download without a session (the link sent to phones)
 * @param conversation "alice|bob" or "room:name" once the message is routed, else null
 * @param participants who may fetch it with a session (the two people, or the room's members when it was sent)
 */
public record StoredFile(String id, String name, long size, String type, String owner, String token, Instant createdAt,
    String conversation, List<String> participants) {

  public StoredFile {
    participants = participants == null ? List.of() : List.copyOf(participants);
  }

  /** Images of a type whose first bytes were checked may be shown inline; everything else is an attachment. */
  public boolean inline() {
    return FileTypes.INLINE_IMAGES.contains(type);
  }
}
