package io.switchboard.api.im;

import io.switchboard.api.BusPayload;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * A broadcast as the console shows it.
 *
 * @param from the username of who sent it
 * @param expiresAt null: until withdrawn
 * @param replaces the broadcast it took the place of, or null
 * @param dismissed whether the user it is shown to dismissed it from their ticker
 */
public record BroadcastInfo(String id, String text, String from, BroadcastAudience to, Instant createdAt,
    Instant expiresAt, String replaces, boolean dismissed) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("text", text).put("from", from).put("to", to.toJson())
        .put("createdAt", createdAt.toString()).put("expiresAt", expiresAt == null ? null : expiresAt.toString())
        .put("replaces", replaces).put("dismissed", dismissed);
  }

  public static BroadcastInfo fromJson(JsonObject json) {
    String expires = json.getString("expiresAt");
    return new BroadcastInfo(json.getString("id"), json.getString("text"), json.getString("from"),
        BroadcastAudience.fromJson(json.getJsonObject("to")), Instant.parse(json.getString("createdAt")),
        expires == null ? null : Instant.parse(expires), json.getString("replaces"), json.getBoolean("dismissed", false));
  }
}
