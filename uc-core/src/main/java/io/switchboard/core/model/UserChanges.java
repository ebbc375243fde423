package io.switchboard.core.model;

import java.util.Map;
import java.util.Optional;

/**
 * A partial update of a user: only present fields change. Secrets arrive already hashed.
 * {@code extension} uses an Optional inside an Optional: absent = unchanged, empty = remove.
 */
public record UserChanges(Optional<String> displayName, Optional<Optional<String>> extension,
    Optional<Role> role, Optional<Boolean> enabled, Optional<String> passwordHash,
    Optional<Map<String, String>> sipHa1) {

  public static UserChanges none() {
    return new UserChanges(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty());
  }

  public boolean isEmpty() {
    return displayName.isEmpty() && extension.isEmpty() && role.isEmpty() && enabled.isEmpty()
        && passwordHash.isEmpty() && sipHa1.isEmpty();
  }
}
