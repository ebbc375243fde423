package io.switchboard.core.account;

import io.switchboard.core.model.Role;
import io.switchboard.core.security.Redact;
import io.vertx.core.json.JsonObject;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Validation of user bodies for {@code POST /api/users} and {@code PATCH /api/users/{username}}.
 * Pure: JSON in, a checked value or an {@link InvalidField} naming the field out. The console's users
 * API and the CSV import apply the same rules through here.
 */
public final class UserRequests {

  public static final Pattern USERNAME = Pattern.compile("[a-z][a-z0-9._-]{1,31}");
  /**
   * {@code sip:room-<name>@domain} addresses a chat room, so no username may start with this: such a
   * user could be created but never reached (every message to it would look for a room).
   */
  public static final String ROOM_ADDRESS_PREFIX = "room-";
  /** {@code sip:broadcast@domain} is where broadcasts come from: no user may take the name (a reply would reach them). */
  public static final String BROADCAST_SENDER = "broadcast";
  public static final Pattern EXTENSION = Pattern.compile("[0-9]{2,10}");
  public static final int MIN_PASSWORD = 8;
  public static final int MAX_PASSWORD = 256;
  public static final int MAX_DISPLAY_NAME = 64;

  private static final Set<String> CREATE_FIELDS = Set.of("username", "displayName", "extension", "password",
      "sipPassword", "role", "enabled");
  private static final Set<String> PATCH_FIELDS = Set.of("displayName", "extension", "password", "sipPassword",
      "role", "enabled");

  /** A checked creation request; passwords still in clear, to be hashed on a worker ({@code password} null: none yet). */
  public record Create(String username, String displayName, String extension, String password, String sipPassword,
      Role role, boolean enabled) {

    @Override
    public String toString() {
      // Passwords are still in clear here: never in a log line.
      return "Create[username=" + username + ", displayName=" + displayName + ", extension=" + extension
          + ", password=" + Redact.secret(password) + ", sipPassword=" + Redact.secret(sipPassword) + ", role=" + role
          + ", enabled=" + enabled + "]";
    }
  }

  /** A checked patch; empty = unchanged. extension: Optional.of(Optional.empty()) removes it. */
  public record Patch(Optional<String> displayName, Optional<Optional<String>> extension, Optional<String> password,
      Optional<String> sipPassword, Optional<Role> role, Optional<Boolean> enabled) {

    @Override
    public String toString() {
      return "Patch[displayName=" + displayName + ", extension=" + extension + ", password=" + Redact.change(password)
          + ", sipPassword=" + Redact.change(sipPassword) + ", role=" + role + ", enabled=" + enabled + "]";
    }
  }

  private UserRequests() {
  }

  public static Create create(JsonObject body) {
    return create(body, true);
  }

  /**
   * A CSV import's row: as {@link #create}, but the web password may be left out (a user who only
   * uses a desk phone; one is chosen later through a set-password link), then {@code password} is null.
   */
  public static Create createImported(JsonObject body) {
    return create(body, false);
  }

  private static Create create(JsonObject body, boolean passwordRequired) {
    JsonFields.known(body, CREATE_FIELDS);
    String username = string(body, "username", true);
    if (!USERNAME.matcher(username).matches()) {
      throw InvalidField.of("username", "2 to 32 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter");
    }
    if (username.startsWith(ROOM_ADDRESS_PREFIX)) {
      throw InvalidField.of("username", "must not start with '" + ROOM_ADDRESS_PREFIX + "': those addresses are chat rooms");
    }
    if (username.equals(BROADCAST_SENDER)) {
      throw InvalidField.of("username", "'" + BROADCAST_SENDER + "' is reserved: broadcasts come from that address");
    }
    String displayName = body.containsKey("displayName") ? displayName(string(body, "displayName", true)) : username;
    String extension = body.getValue("extension") == null ? null : extension(string(body, "extension", true));
    String password = passwordRequired || body.getValue("password") != null ? password(body, "password", true) : null;
    String sipPassword = body.getValue("sipPassword") == null ? null : password(body, "sipPassword", true);
    Role role = body.containsKey("role") ? role(body) : Role.USER;
    boolean enabled = !body.containsKey("enabled") || bool(body, "enabled");
    return new Create(username, displayName, extension, password, sipPassword, role, enabled);
  }

  public static Patch patch(JsonObject body) {
    JsonFields.known(body, PATCH_FIELDS);
    if (body.isEmpty()) {
      throw new InvalidField(null, "nothing to change: give at least one of " + PATCH_FIELDS);
    }
    Optional<String> displayName = body.containsKey("displayName")
        ? Optional.of(displayName(string(body, "displayName", true))) : Optional.empty();
    Optional<Optional<String>> extension = !body.containsKey("extension") ? Optional.empty()
        : body.getValue("extension") == null ? Optional.of(Optional.empty())
        : Optional.of(Optional.of(extension(string(body, "extension", true))));
    Optional<String> password = body.containsKey("password") ? Optional.of(password(body, "password", true)) : Optional.empty();
    Optional<String> sip = body.containsKey("sipPassword") ? Optional.of(password(body, "sipPassword", true)) : Optional.empty();
    Optional<Role> role = body.containsKey("role") ? Optional.of(role(body)) : Optional.empty();
    Optional<Boolean> enabled = body.containsKey("enabled") ? Optional.of(bool(body, "enabled")) : Optional.empty();
    return new Patch(displayName, extension, password, sip, role, enabled);
  }

  private static String string(JsonObject body, String field, boolean required) {
    Object v = body.getValue(field);
    if (v == null) {
      if (required) {
        throw InvalidField.of(field, "required");
      }
      return null;
    }
    if (!(v instanceof String s)) {
      throw InvalidField.of(field, "must be a string");
    }
    return s;
  }

  private static String displayName(String v) {
    String trimmed = v.strip();
    if (trimmed.isEmpty() || trimmed.length() > MAX_DISPLAY_NAME) {
      throw InvalidField.of("displayName", "1 to " + MAX_DISPLAY_NAME + " characters");
    }
    if (trimmed.chars().anyMatch(Character::isISOControl)) {
      throw InvalidField.of("displayName", "must not contain control characters");
    }
    return trimmed;
  }

  private static String extension(String v) {
    if (!EXTENSION.matcher(v).matches()) {
      throw InvalidField.of("extension", "2 to 10 digits");
    }
    return v;
  }

  private static String password(JsonObject body, String field, boolean required) {
    String v = string(body, field, required);
    if (v.length() < MIN_PASSWORD || v.length() > MAX_PASSWORD) {
      throw InvalidField.of(field, MIN_PASSWORD + " to " + MAX_PASSWORD + " characters");
    }
    return v;
  }

  private static Role role(JsonObject body) {
    Role role = Role.fromWire(string(body, "role", true));
    if (role == null) {
      throw InvalidField.of("role", "one of user, admin, broadcaster");
    }
    return role;
  }

  private static boolean bool(JsonObject body, String field) {
    if (!(body.getValue(field) instanceof Boolean b)) {
      throw InvalidField.of(field, "must be true or false");
    }
    return b;
  }
}
