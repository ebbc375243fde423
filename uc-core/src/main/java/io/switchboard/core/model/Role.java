package io.switchboard.core.model;

import java.util.Locale;

/** What a console account may do. A broadcaster is a user who may also send broadcasts. */
public enum Role {
  USER, ADMIN, BROADCASTER;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** @return the role, or null for an unknown name */
  public static Role fromWire(String name) {
    for (Role r : values()) {
      if (r.wireName().equals(name)) {
        return r;
      }
    }
    return null;
  }
}
