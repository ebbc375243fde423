package io.switchboard.im;

import java.time.Instant;
import java.util.List;

/** A chat room: a name and its members (usernames). Its SIP address is {@code sip:room-<name>@domain}. */
public record Room(String name, List<String> members, String createdBy, Instant createdAt) {

  /** Users and rooms share no namespace: no username starts with this (checked in UserRequests). */
  public static final String ADDRESS_PREFIX = io.switchboard.core.account.UserRequests.ROOM_ADDRESS_PREFIX;

  public Room {
    members = List.copyOf(members);
  }

  /** The room as the console sees it. */
  public io.switchboard.api.im.RoomInfo toBus() {
    return new io.switchboard.api.im.RoomInfo(name, ADDRESS_PREFIX + name, members, createdBy, createdAt);
  }
}
