package io.switchboard.api.telephony;

import io.switchboard.api.BusPayload;
import io.switchboard.api.JsonLists;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The reply to {@link ConferenceStart}: whose phones Asterisk was asked to ring, and who was asked in
 * the room instead (on the phone elsewhere, or without a phone).
 *
 * @param extension the conference number, for those who join by hand
 */
public record ConferenceStarted(String room, String extension, List<String> rung, List<String> asked)
    implements BusPayload {

  public ConferenceStarted {
    rung = List.copyOf(rung);
    asked = List.copyOf(asked);
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("room", room).put("extension", extension).put("rung", new JsonArray(rung))
        .put("asked", new JsonArray(asked));
  }

  public static ConferenceStarted fromJson(JsonObject json) {
    return new ConferenceStarted(json.getString("room"), json.getString("extension"),
        JsonLists.strings(json.getJsonArray("rung")), JsonLists.strings(json.getJsonArray("asked")));
  }
}
