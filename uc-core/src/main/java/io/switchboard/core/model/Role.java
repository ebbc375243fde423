package io.switchboard.core.model;

import java.util.Locale;

/** What a console account may do. */
public enum Role {
  USER, ADMIN;

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
