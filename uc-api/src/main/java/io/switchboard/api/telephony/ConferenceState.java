package io.switchboard.api.telephony;

import io.switchboard.api.BusPayload;
import io.switchboard.api.JsonLists;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A room's conference as Asterisk reports it (ConfbridgeJoin, ConfbridgeLeave, ConfbridgeEnd).
 * Published on {@link io.switchboard.api.EventAddresses#CONFERENCE_CHANGED} at every join and leave;
 * also the reply to {@link ConferenceQuery}.
 *
 * @param members the users in the conference now, in the order they joined
 * @param audience the room's members, who are told of the change (the console's live channel)
 */
public record ConferenceState(String room, boolean active, List<String> members, List<String> audience)
    implements BusPayload {

  public ConferenceState {
    members = List.copyOf(members);
    audience = List.copyOf(audience);
  }

  public static ConferenceState none(String room) {
    return new ConferenceState(room, false, List.of(), List.of());
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("room", room).put("active", active).put("members", new JsonArray(members))
        .put("audience", new JsonArray(audience));
  }

  public static ConferenceState fromJson(JsonObject json) {
    return new ConferenceState(json.getString("room"), json.getBoolean("active", false),
        JsonLists.strings(json.getJsonArray("members")), JsonLists.strings(json.getJsonArray("audience")));
  }
}
