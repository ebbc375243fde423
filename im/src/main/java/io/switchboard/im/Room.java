package io.switchboard.im;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/** A chat room: a name and its members (usernames). Its SIP address is {@code sip:room-<name>@domain}. */
public record Room(String name, List<String> members, String createdBy, Instant createdAt) {

  /** Users and rooms share no namespace: no username starts with this (checked in UserRequests). */
  public static final String ADDRESS_PREFIX = io.switchboard.core.account.UserRequests.ROOM_ADDRESS_PREFIX;

  public Room {
    members = List.copyOf(members);
  }

  public JsonObject toJson() {
    return new JsonObject().put("name", name).put("address", ADDRESS_PREFIX + name)
        .put("members", new JsonArray(members)).put("createdBy", createdBy).put("createdAt", createdAt.toString());
  }
}
