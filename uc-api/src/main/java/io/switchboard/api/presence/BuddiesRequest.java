package io.switchboard.api.presence;

import io.switchboard.api.BusPayload;
import io.switchboard.api.Caller;
import io.vertx.core.json.JsonObject;

/**
 * The caller's buddy list: read it, add one, remove one. Request on
 * {@link io.switchboard.api.EventAddresses#PRESENCE_BUDDIES}; reply the whole {@link BuddyList}.
 *
 * @param username the buddy to add or remove (a username or, to add, an extension); null to list
 * @param group to add: the group, or null
 * @param displayName to add: the name to show, or null for the user's own
 */
public record BuddiesRequest(Caller caller, Op op, String username, String group, String displayName)
    implements BusPayload {

  public enum Op { LIST, ADD, REMOVE }

  public static BuddiesRequest list(Caller caller) {
    return new BuddiesRequest(caller, Op.LIST, null, null, null);
  }

  public static BuddiesRequest add(Caller caller, String username, String group, String displayName) {
    return new BuddiesRequest(caller, Op.ADD, username, group, displayName);
  }

  public static BuddiesRequest remove(Caller caller, String username) {
    return new BuddiesRequest(caller, Op.REMOVE, username, null, null);
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("caller", caller.toJson()).put("op", op.name()).put("username", username)
        .put("group", group).put("displayName", displayName);
  }

  public static BuddiesRequest fromJson(JsonObject json) {
    return new BuddiesRequest(Caller.fromJson(json.getJsonObject("caller")), Op.valueOf(json.getString("op")),
        json.getString("username"), json.getString("group"), json.getString("displayName"));
  }
}
