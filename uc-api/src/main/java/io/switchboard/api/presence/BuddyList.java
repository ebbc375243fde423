package io.switchboard.api.presence;

import io.switchboard.api.BusPayload;
import io.switchboard.api.JsonLists;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** A user's buddies with what each lets the user see: the reply of {@link BuddiesRequest}. */
public record BuddyList(List<Buddy> buddies) implements BusPayload {

  /**
   * @param presence what the buddy's rules let the user see (offline when nothing)
   * @param visible false when the buddy's rules hide them from the user
   */
  public record Buddy(String username, String group, String displayName, PresenceStatus presence, boolean visible)
      implements BusPayload {

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("username", username).put("group", group).put("displayName", displayName)
          .put("presence", presence.toJson()).put("visible", visible);
    }

    public static Buddy fromJson(JsonObject json) {
      return new Buddy(json.getString("username"), json.getString("group"), json.getString("displayName"),
          PresenceStatus.fromJson(json.getJsonObject("presence")), json.getBoolean("visible", false));
    }
  }

  public BuddyList {
    buddies = List.copyOf(buddies);
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("buddies", JsonLists.toArray(buddies));
  }

  public static BuddyList fromJson(JsonObject json) {
    return new BuddyList(JsonLists.fromArray(json.getJsonArray("buddies"), Buddy::fromJson));
  }
}
