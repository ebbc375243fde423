package io.switchboard.core.model;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A person with a console account and a SIP identity. Secrets are only ever held as hashes:
 * {@code passwordHash} (PBKDF2, see {@link io.switchboard.core.security.PasswordHasher}) and
 * {@code sipHa1} (digest HA1 over the SIP realm, one per algorithm name, RFC 8760).
 *
 * @param extension may be null (the built-in admin has none)
 */
public record User(String username, String displayName, String extension, Role role, boolean enabled,
    String passwordHash, Map<String, String> sipHa1, Instant createdAt, Instant updatedAt) {

  public User {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(role, "role");
    sipHa1 = sipHa1 == null ? Map.of() : Map.copyOf(sipHa1);
  }

  /** The public view: never any secret or hash. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("username", username)
        .put("displayName", displayName)
        .put("role", role.wireName())
        .put("enabled", enabled)
        .put("hasSipAccount", !sipHa1.isEmpty())
        .put("createdAt", createdAt == null ? null : createdAt.toString())
        .put("updatedAt", updatedAt == null ? null : updatedAt.toString());
    if (extension != null) {
      json.put("extension", extension);
    }
    return json;
  }

  @Override
  public String toString() {
    // Never print hashes, not even in a debug log.
    return "User[" + username + ", ext " + extension + ", " + role.wireName() + (enabled ? "" : ", disabled") + "]";
  }
}
