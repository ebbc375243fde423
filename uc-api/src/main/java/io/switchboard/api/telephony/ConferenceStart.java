package io.switchboard.api.telephony;

import io.switchboard.api.BusPayload;
import io.switchboard.api.Caller;
import io.switchboard.api.JsonLists;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A conference call from a chat room: Asterisk rings every available member's phone into the
 * conference extension. Request on {@link io.switchboard.api.EventAddresses#CONFERENCE_START}; reply
 * {@link ConferenceStarted}. The sender has checked that the caller is a member. Failures 409 naming
 * {@code ami.conference-extension} when none is configured, 503 without a link to Asterisk.
 *
 * @param members the room's members (the caller among them), as the room holds them
 */
public record ConferenceStart(Caller caller, String room, List<String> members) implements BusPayload {

  public ConferenceStart {
    members = List.copyOf(members);
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("caller", caller.toJson()).put("room", room).put("members", new JsonArray(members));
  }

  public static ConferenceStart fromJson(JsonObject json) {
    return new ConferenceStart(Caller.fromJson(json.getJsonObject("caller")), json.getString("room"),
        JsonLists.strings(json.getJsonArray("members")));
  }
}
