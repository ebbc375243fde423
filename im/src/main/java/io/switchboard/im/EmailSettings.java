package io.switchboard.im;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * A user's e-mail for missed messages: the address (null: none), whether they opted in, the rooms they
 * muted (counted in a mail, never quoted) and when they were last mailed (null: never).
 */
record EmailSettings(String username, String email, boolean notifyMissed, List<String> mutedRooms,
    Instant lastEmailedAt) {

  EmailSettings {
    mutedRooms = mutedRooms == null ? List.of() : List.copyOf(mutedRooms);
  }

  static EmailSettings none(String username) {
    return new EmailSettings(username, null, false, List.of(), null);
  }

  boolean wantsMail() {
    return notifyMissed && email != null;
  }

  /** What the users API shows. */
  JsonObject toJson() {
    return new JsonObject().put("email", email).put("notifyMissed", notifyMissed)
        .put("mutedRooms", new JsonArray(mutedRooms));
  }
}
