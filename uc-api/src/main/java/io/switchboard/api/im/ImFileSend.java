package io.switchboard.api.im;

import io.switchboard.api.BusPayload;
import io.switchboard.api.Caller;
import io.vertx.core.json.JsonObject;

/**
 * A file the caller uploaded (stored already, by {@code fileId}) to send as a message to {@code to}: a
 * username, an extension or {@code room-<name>}. Request on
 * {@link io.switchboard.api.EventAddresses#IM_FILE_SEND}; reply {@link io.switchboard.api.ImMessage} with its file.
 * When the message cannot be sent (no such user, not a member) the file is deleted.
 */
public record ImFileSend(Caller from, String to, String fileId) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("from", from.toJson()).put("to", to).put("fileId", fileId);
  }

  public static ImFileSend fromJson(JsonObject json) {
    return new ImFileSend(Caller.fromJson(json.getJsonObject("from")), json.getString("to"), json.getString("fileId"));
  }
}
