package io.switchboard.api;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One message as the console and the history see it. Published on {@link EventAddresses#IM_MESSAGE}
 * and {@link EventAddresses#IM_STATE}; the reply of {@link EventAddresses#IM_SEND}.
 *
 * @param text the readable text (the inner body of a CPIM message)
 * @param room the room's name for room messages, else null
 * @param state PENDING, STORED, DELIVERED, EXPIRED or FAILED
 * @param displayedAt when the recipient saw it (their console showed it, or their device sent an IMDN display
 *     notification), or null
 * @param file the file it carries, or null
 */
public record ImMessage(String id, String from, String fromDisplayName, String to, String room, String text,
    String state, Instant createdAt, Instant deliveredAt, Instant displayedAt, io.switchboard.api.im.FileRef file)
    implements BusPayload {

  /** A message with a file nobody has seen yet. */
  public ImMessage(String id, String from, String fromDisplayName, String to, String room, String text, String state,
      Instant createdAt, Instant deliveredAt, io.switchboard.api.im.FileRef file) {
    this(id, from, fromDisplayName, to, room, text, state, createdAt, deliveredAt, null, file);
  }

  /** A message without a file that nobody has seen yet. */
  public ImMessage(String id, String from, String fromDisplayName, String to, String room, String text, String state,
      Instant createdAt, Instant deliveredAt) {
    this(id, from, fromDisplayName, to, room, text, state, createdAt, deliveredAt, null, null);
  }

  @Override
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("id", id).put("from", from).put("fromDisplayName", fromDisplayName)
        .put("to", to).put("text", text).put("state", state).put("createdAt", createdAt.toString());
    if (room != null) {
      json.put("room", room);
    }
    if (deliveredAt != null) {
      json.put("deliveredAt", deliveredAt.toString());
    }
    if (displayedAt != null) {
      json.put("displayedAt", displayedAt.toString());
    }
    if (file != null) {
      json.put("file", file.toJson());
    }
    return json;
  }

  public static ImMessage fromJson(JsonObject j) {
    String delivered = j.getString("deliveredAt");
    String displayed = j.getString("displayedAt");
    return new ImMessage(j.getString("id"), j.getString("from"), j.getString("fromDisplayName"), j.getString("to"),
        j.getString("room"), j.getString("text"), j.getString("state"), Instant.parse(j.getString("createdAt")),
        delivered == null ? null : Instant.parse(delivered), displayed == null ? null : Instant.parse(displayed),
        io.switchboard.api.im.FileRef.fromJson(j.getJsonObject("file")));
  }
}
