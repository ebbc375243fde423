package io.switchboard.api.cluster;

import io.switchboard.api.BusPayload;
import io.switchboard.api.presence.PresenceStatus;
import io.vertx.core.json.JsonObject;

/**
 * A PUBLISH (RFC 3903) accepted by node {@code from}, or its removal: published on
 * {@link io.switchboard.api.EventAddresses#PRESENCE_PUBLICATION} so that every node keeps it.
 *
 * @param previousEtag the tag it replaces, or null for an initial publication
 * @param view the published state and note; null when removed
 * @param expiresAtMillis when it lapses; null when removed
 * @param removed the tag of the publication removed, or null
 */
public record PresencePublication(String from, String user, String etag, String previousEtag, PresenceStatus view,
    Long expiresAtMillis, String removed) implements BusPayload {

  public static PresencePublication published(String from, String user, String previousEtag, String etag,
      PresenceStatus view, long expiresAtMillis) {
    return new PresencePublication(from, user, etag, previousEtag, view, expiresAtMillis, null);
  }

  public static PresencePublication removed(String from, String user, String etag) {
    return new PresencePublication(from, user, null, null, null, null, etag);
  }

  @Override
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("from", from).put("user", user);
    if (removed != null) {
      return json.put("removed", removed);
    }
    return json.put("previousEtag", previousEtag).put("etag", etag).put("view", view.toJson())
        .put("expiresAt", expiresAtMillis);
  }

  public static PresencePublication fromJson(JsonObject json) {
    JsonObject view = json.getJsonObject("view");
    return new PresencePublication(json.getString("from"), json.getString("user"), json.getString("etag"),
        json.getString("previousEtag"), view == null ? null : PresenceStatus.fromJson(view), json.getLong("expiresAt"),
        json.getString("removed"));
  }
}
