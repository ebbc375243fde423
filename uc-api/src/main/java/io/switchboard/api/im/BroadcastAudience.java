package io.switchboard.api.im;

import io.switchboard.api.BusPayload;
import io.switchboard.api.JsonLists;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;

/**
 * Who a broadcast is for: everyone, a group (the members of a chat room of that name), or named users.
 *
 * @param group the room's name for {@link Kind#GROUP}, else null
 * @param users the usernames for {@link Kind#USERS}, else empty
 */
public record BroadcastAudience(Kind kind, String group, List<String> users) implements BusPayload {

  public enum Kind { ALL, GROUP, USERS }

  public BroadcastAudience {
    users = users == null ? List.of() : List.copyOf(users);
  }

  public static BroadcastAudience all() {
    return new BroadcastAudience(Kind.ALL, null, List.of());
  }

  public static BroadcastAudience group(String name) {
    return new BroadcastAudience(Kind.GROUP, name, List.of());
  }

  public static BroadcastAudience users(List<String> usernames) {
    return new BroadcastAudience(Kind.USERS, null, usernames);
  }

  @Override
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("kind", kind.name().toLowerCase(Locale.ROOT));
    if (group != null) {
      json.put("group", group);
    }
    if (kind == Kind.USERS) {
      json.put("users", new JsonArray(users));
    }
    return json;
  }

  public static BroadcastAudience fromJson(JsonObject json) {
    return new BroadcastAudience(Kind.valueOf(json.getString("kind").toUpperCase(Locale.ROOT)), json.getString("group"),
        JsonLists.strings(json.getJsonArray("users")));
  }
}
