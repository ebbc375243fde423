package io.switchboard.api.im;

import io.switchboard.api.BusPayload;
import io.switchboard.api.Caller;
import io.vertx.core.json.JsonObject;

/**
 * A search of the caller's own conversations and rooms, newest first. Request on
 * {@link io.switchboard.api.EventAddresses#IM_SEARCH}; reply {@link ImMessages}. Strings as given (IM
 * checks them).
 *
 * @param q words that must all appear in a message's text, in any order and case; may be null when
 *     {@code from} narrows the search instead
 * @param with one person's conversation only (a username or an extension), or null
 * @param room one room only (its name), or null
 * @param from messages sent by this person only (a username or an extension), or null
 * @param after an ISO-8601 instant: messages after it, or null
 * @param before an ISO-8601 instant: messages before it (the next page), or null
 */
public record ImSearchQuery(Caller caller, String q, String with, String room, String from, String after,
    String before, int limit) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("caller", caller.toJson()).put("q", q).put("with", with).put("room", room)
        .put("from", from).put("after", after).put("before", before).put("limit", limit);
  }

  public static ImSearchQuery fromJson(JsonObject json) {
    return new ImSearchQuery(Caller.fromJson(json.getJsonObject("caller")), json.getString("q"),
        json.getString("with"), json.getString("room"), json.getString("from"), json.getString("after"),
        json.getString("before"), json.getInteger("limit", 50));
  }
}
