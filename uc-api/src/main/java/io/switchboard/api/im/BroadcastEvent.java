package io.switchboard.api.im;

import io.switchboard.api.BusPayload;
import io.switchboard.api.JsonLists;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A broadcast starts or ends for some consoles. Published on {@link io.switchboard.api.EventAddresses#BROADCAST_CHANGED}.
 *
 * @param broadcast the new broadcast to show; null: the one named by {@code id} is no longer shown
 * @param recipients the usernames it concerns; null: everyone
 */
public record BroadcastEvent(String id, BroadcastInfo broadcast, List<String> recipients) implements BusPayload {

  public BroadcastEvent {
    recipients = recipients == null ? null : List.copyOf(recipients);
  }

  public static BroadcastEvent sent(BroadcastInfo broadcast, List<String> recipients) {
    return new BroadcastEvent(broadcast.id(), broadcast, recipients);
  }

  public static BroadcastEvent gone(String id, List<String> recipients) {
    return new BroadcastEvent(id, null, recipients);
  }

  public boolean concerns(String username) {
    return recipients == null || recipients.contains(username);
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("broadcast", broadcast == null ? null : broadcast.toJson())
        .put("recipients", recipients == null ? null : new JsonArray(recipients));
  }

  public static BroadcastEvent fromJson(JsonObject json) {
    JsonObject b = json.getJsonObject("broadcast");
    JsonArray r = json.getJsonArray("recipients");
    return new BroadcastEvent(json.getString("id"), b == null ? null : BroadcastInfo.fromJson(b),
        r == null ? null : JsonLists.strings(r));
  }
}
