package io.switchboard.presence;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * A state the user set by hand, with an optional note and an optional end.
 *
 * @param until null: until changed
 */
public record ManualState(PresenceState state, String note, Instant until) {

  public boolean activeAt(Instant now) {
    return until == null || now.isBefore(until);
  }

  public JsonObject toJson() {
    JsonObject j = new JsonObject().put("state", state.wireName()).put("note", note);
    if (until != null) {
      j.put("until", until.toString());
    }
    return j;
  }
}
