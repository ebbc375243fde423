package io.switchboard.core.model;

import io.switchboard.core.security.Redact;
import java.util.Map;
import java.util.Optional;

/**
 * A partial update of a user: only present fields change. Secrets arrive already hashed.
 * {@code extension} uses an Optional inside an Optional: absent = unchanged, empty = remove.
 */
public record UserChanges(Optional<String> displayName, Optional<Optional<String>> extension,
    Optional<Role> role, Optional<Boolean> enabled, Optional<String> passwordHash,
    Optional<Map<String, String>> sipHa1) {

  @Override
  public String toString() {
    // Hashes are secrets too (an HA1 is as good as the password at the registrar).
    return "UserChanges[displayName=" + displayName + ", extension=" + extension + ", role=" + role + ", enabled="
        + enabled + ", passwordHash=" + Redact.change(passwordHash) + ", sipHa1=" + Redact.change(sipHa1) + "]";
  }
}
