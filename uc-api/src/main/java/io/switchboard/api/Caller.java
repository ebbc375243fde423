package io.switchboard.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Who asks: the authenticated user a request is made for, with their roles. Every request record
 * that acts for someone carries one; the module that answers decides what it may do (an admin sees
 * every room, only an admin manages devices), not the sender with a flag in the body.
 */
public record Caller(String username, Set<Role> roles) implements BusPayload {

  /** What a console account may do; on the wire in lower case. A broadcaster may also send broadcasts. */
  public enum Role { USER, ADMIN, BROADCASTER }

  public Caller {
    roles = roles.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(roles));
  }

  public static Caller user(String username) {
    return new Caller(username, Set.of(Role.USER));
  }

  public static Caller admin(String username) {
    return new Caller(username, Set.of(Role.ADMIN));
  }

  public boolean isAdmin() {
    return roles.contains(Role.ADMIN);
  }

  /** Administrators and broadcasters send and withdraw broadcasts. */
  public boolean mayBroadcast() {
    return roles.contains(Role.ADMIN) || roles.contains(Role.BROADCASTER);
  }

  @Override
  public JsonObject toJson() {
    JsonArray names = new JsonArray();
    roles.stream().sorted().forEach(r -> names.add(r.name().toLowerCase(Locale.ROOT)));
    return new JsonObject().put("username", username).put("roles", names);
  }

  /** @throws IllegalArgumentException without a caller, or with an unknown role */
  public static Caller fromJson(JsonObject json) {
    if (json == null || json.getString("username") == null) {
      throw new IllegalArgumentException("caller: required");
    }
    EnumSet<Role> roles = EnumSet.noneOf(Role.class);
    for (Object r : json.getJsonArray("roles", new JsonArray())) {
      roles.add(Role.valueOf(String.valueOf(r).toUpperCase(Locale.ROOT)));
    }
    return new Caller(json.getString("username"), roles);
  }
}
