package io.switchboard.core.model;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One of a user's devices: a desk phone, a PDA or mobile, a softphone, a browser. Desk phones are
 * provisioned over HTTP by MAC address; every device but a browser is a PJSIP endpoint in Asterisk.
 *
 * @param id opaque, unique
 * @param mac 12 lower-case hex digits ({@link #normaliseMac}), unique; null for devices without one
 * @param endpoint the Asterisk endpoint (and auth, and AOR) name, unique; null for browsers
 * @param sipSecret the device's SIP password for Asterisk (which needs it in clear in its auth
 *     section); never in {@link #toJson}
 * @param token the device's provisioning credential (URL token, or digest password); never in {@link #toJson}
 */
public record Device(String id, String username, Kind kind, String vendor, String model, String mac, String endpoint,
    String sipSecret, String token, Profile profile, Instant createdAt, Instant updatedAt) {

  public Device {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(kind, "kind");
    profile = profile == null ? Profile.defaultFor(kind) : profile;
  }

  /** What kind of device; the wire name is what the API and the store use. */
  public enum Kind {
    DESK_PHONE("desk-phone"), MOBILE("mobile"), SOFTPHONE("softphone"), WEB("web");

    private final String wireName;

    Kind(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }

    /** @return null when unknown */
    public static Kind fromWire(String s) {
      for (Kind k : values()) {
        if (k.wireName.equals(s)) {
          return k;
        }
      }
      return null;
    }

    /** Whether the device makes calls through Asterisk (has a PJSIP endpoint). */
    public boolean sipPhone() {
      return this != WEB;
    }
  }

  /**
   * What the device can do, for IM and presence: the content types it shows, the longest message
   * it shows (characters), whether it subscribes to presence and has BLF keys.
   */
  public record Profile(List<String> accept, int maxMessageLength, boolean presence, boolean blf) {

    public Profile {
      accept = accept == null ? List.of() : List.copyOf(accept);
    }

    /** Desk phones show short plain text; the others take CPIM and longer messages. */
    public static Profile defaultFor(Kind kind) {
      return switch (kind) {
        case DESK_PHONE -> new Profile(List.of("text/plain"), 1024, true, true);
        case MOBILE, SOFTPHONE -> new Profile(List.of("text/plain", "message/cpim"), 8192, true, false);
        case WEB -> new Profile(List.of("text/plain", "message/cpim"), 8192, true, false);
      };
    }

    public JsonObject toJson() {
      return new JsonObject().put("accept", new JsonArray(accept)).put("maxMessageLength", maxMessageLength)
          .put("presence", presence).put("blf", blf);
    }

    public static Profile fromJson(JsonObject json) {
      JsonArray accept = json.getJsonArray("accept", new JsonArray());
      return new Profile(accept.stream().map(String::valueOf).toList(), json.getInteger("maxMessageLength", 1024),
          json.getBoolean("presence", true), json.getBoolean("blf", false));
    }
  }

  /**
   * A MAC address in any usual spelling (00:15:65:AA:BB:CC, 00-15-65-aa-bb-cc, 001565aabbcc,
   * 0015.65aa.bbcc) as 12 lower-case hex digits; null when it is not one.
   */
  public static String normaliseMac(String raw) {
    if (raw == null) {
      return null;
    }
    String hex = raw.strip().replaceAll("[:.\\-]", "").toLowerCase(Locale.ROOT);
    return hex.matches("[0-9a-f]{12}") && !hex.equals("000000000000") ? hex : null;
  }

  public Device withEndpoint(String endpoint) {
    return new Device(id, username, kind, vendor, model, mac, endpoint, sipSecret, token, profile, createdAt, updatedAt);
  }

  /** The public view: never the SIP secret or the token (the provisioning URL, given separately, carries the token). */
  public JsonObject toJson(String provisioningUrl) {
    JsonObject json = new JsonObject().put("id", id).put("username", username).put("kind", kind.wireName())
        .put("vendor", vendor).put("model", model).put("mac", mac).put("endpoint", endpoint)
        .put("profile", profile.toJson())
        .put("createdAt", createdAt == null ? null : createdAt.toString())
        .put("updatedAt", updatedAt == null ? null : updatedAt.toString());
    if (provisioningUrl != null) {
      json.put("provisioningUrl", provisioningUrl);
    }
    return json;
  }

  @Override
  public String toString() {
    // Never the secret or the token, not even in a debug log.
    return "Device[" + id + ", " + username + ", " + kind.wireName() + (vendor == null ? "" : ", " + vendor)
        + (mac == null ? "" : ", " + mac) + (endpoint == null ? "" : ", endpoint " + endpoint) + "]";
  }
}
