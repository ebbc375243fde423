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

}
