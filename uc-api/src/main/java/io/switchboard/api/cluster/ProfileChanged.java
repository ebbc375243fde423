package io.switchboard.api.cluster;

import io.switchboard.api.BusPayload;
import io.vertx.core.json.JsonObject;

/**
 * A user's presence profile changed in the store through node {@code from}: published on
 * {@link io.switchboard.api.EventAddresses#PRESENCE_PROFILE} so that every node reads it again and
 * tells its own watchers.
 *
 * @param what what changed: the manual state, the rules, the buddy list, or only a note (pending watchers)
 */
public record ProfileChanged(String from, String user, What what) implements BusPayload {

  public enum What { MANUAL, RULES, BUDDIES, PENDING }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("from", from).put("user", user).put("what", what.name());
  }

  public static ProfileChanged fromJson(JsonObject json) {
    return new ProfileChanged(json.getString("from"), json.getString("user"), What.valueOf(json.getString("what")));
  }
}
