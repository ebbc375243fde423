package io.switchboard.presence;

import io.vertx.core.json.JsonObject;

/**
 * One presentity's presence as one watcher is allowed to see it.
 *
 * @param note free text: the user's own note, or one Switchboard adds ("On the phone")
 */
public record PresenceView(PresenceState state, String note) {

  public static final PresenceView OFFLINE = new PresenceView(PresenceState.OFFLINE, null);

  /** PIDF basic status: open unless offline. */
  public boolean open() {
    return state != PresenceState.OFFLINE;
  }

  /** As the bus contract carries it. */
  public io.switchboard.api.presence.PresenceStatus toStatus() {
    return new io.switchboard.api.presence.PresenceStatus(state.wireName(), note);
  }

  public JsonObject toJson() {
    return new JsonObject().put("state", state.wireName()).put("note", note);
  }
}
