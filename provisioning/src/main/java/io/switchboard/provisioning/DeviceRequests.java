package io.switchboard.provisioning;

import io.switchboard.core.account.JsonFields;
import io.switchboard.core.model.Device;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Validation of device bodies (create, and patch merged over the current device). Pure: JSON in, a
 * checked {@link Fields} or a {@link Failure} naming the field out.
 */
final class DeviceRequests {

  static final Set<String> FIELDS = Set.of("kind", "vendor", "model", "mac", "endpoint", "profile");
  static final Pattern MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._-]{0,31}");
  static final Pattern ENDPOINT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,39}");
  static final Pattern VENDOR = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");
  static final Pattern CONTENT_TYPE = Pattern.compile("[a-z0-9.+-]+/[a-z0-9.+*-]+");
  static final int MAX_MESSAGE_LENGTH = 65_536;

  /** A checked device description; endpoint null = let Switchboard choose. */
  record Fields(Device.Kind kind, String vendor, String model, String mac, String endpoint, Device.Profile profile) {
  }

  private DeviceRequests() {
  }

  /** @param current the device a patch applies to, or null for a creation */
  static Fields check(JsonObject body, Device current) {
    JsonFields.known(body, FIELDS);
    if (current != null && body.isEmpty()) {
      throw new io.switchboard.api.BusFailure(400, null, "nothing to change: give at least one of " + new TreeSet<>(FIELDS));
    }
    Device.Kind kind = body.containsKey("kind") ? kind(body.getValue("kind")) : current == null ? kind(null) : current.kind();
    String vendor = body.containsKey("vendor") ? vendor(body.getValue("vendor")) : current == null ? null : current.vendor();
    String model = body.containsKey("model") ? optional(body.getValue("model"), "model", MODEL,
        "1 to 32 letters, digits, spaces, '.', '_' or '-'") : current == null ? null : current.model();
    String mac = body.containsKey("mac") ? mac(body.getValue("mac")) : current == null ? null : current.mac();
    String endpoint = body.containsKey("endpoint") ? optional(body.getValue("endpoint"), "endpoint", ENDPOINT,
        "1 to 40 letters, digits, '_', '.' or '-'") : current == null ? null : current.endpoint();
    Device.Profile base = current == null || body.containsKey("kind") ? Device.Profile.defaultFor(kind) : current.profile();
    Device.Profile profile = body.containsKey("profile") ? profile(body.getValue("profile"), base) : base;
    if (kind == Device.Kind.DESK_PHONE) {
      if (vendor == null || Vendor.fromWire(vendor).isEmpty()) {
        throw Failure.invalid("vendor", "a desk phone needs one of " + vendors());
      }
      if (mac == null) {
        throw Failure.invalid("mac", "required for a desk phone");
      }
    }
    if (kind == Device.Kind.WEB && body.getValue("endpoint") != null) {
      throw Failure.invalid("endpoint", "a browser has no Asterisk endpoint");
    }
    return new Fields(kind, vendor, model, mac, kind.sipPhone() ? endpoint : null, profile);
  }

  static String vendors() {
    List<String> names = new ArrayList<>();
    for (Vendor v : Vendor.values()) {
      names.add(v.wireName());
    }
    return String.join(", ", names);
  }

  private static Device.Kind kind(Object v) {
    Device.Kind kind = v instanceof String s ? Device.Kind.fromWire(s) : null;
    if (kind == null) {
      throw Failure.invalid("kind", v == null ? "required: desk-phone, mobile, softphone or web"
          : "one of desk-phone, mobile, softphone, web");
    }
    return kind;
  }

  private static String vendor(Object v) {
    if (v == null) {
      return null;
    }
    String s = v instanceof String str ? str.strip().toLowerCase(Locale.ROOT) : null;
    if (s == null || !VENDOR.matcher(s).matches()) {
      throw Failure.invalid("vendor", "1 to 32 lower-case letters, digits or '-' (provisioned: " + vendors() + ")");
    }
    return s;
  }

  private static String mac(Object v) {
    if (v == null) {
      return null;
    }
    String mac = v instanceof String s ? Device.normaliseMac(s) : null;
    if (mac == null) {
      throw Failure.invalid("mac", "12 hex digits, e.g. 00:15:65:aa:bb:cc or 001565aabbcc");
    }
    return mac;
  }

  private static String optional(Object v, String field, Pattern pattern, String rule) {
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s) || !pattern.matcher(s.strip()).matches()) {
      throw Failure.invalid(field, rule);
    }
    return s.strip();
  }

  private static Device.Profile profile(Object v, Device.Profile base) {
    if (!(v instanceof JsonObject p)) {
      throw Failure.invalid("profile", "an object with accept, maxMessageLength, presence, blf");
    }
    for (String name : p.fieldNames()) {
      if (!Set.of("accept", "maxMessageLength", "presence", "blf").contains(name)) {
        throw Failure.invalid("profile", "unknown field " + name + "; expected accept, maxMessageLength, presence, blf");
      }
    }
    List<String> accept = base.accept();
    if (p.containsKey("accept")) {
      if (!(p.getValue("accept") instanceof JsonArray a) || a.isEmpty()) {
        throw Failure.invalid("profile", "accept: a non-empty list of content types");
      }
      List<String> types = new ArrayList<>();
      for (Object t : a) {
        if (!(t instanceof String s) || !CONTENT_TYPE.matcher(s.strip().toLowerCase(Locale.ROOT)).matches()) {
          throw Failure.invalid("profile", "accept: '" + t + "' is not a content type such as text/plain");
        }
        types.add(s.strip().toLowerCase(Locale.ROOT));
      }
      accept = types;
    }
    int max = base.maxMessageLength();
    if (p.containsKey("maxMessageLength")) {
      if (!(p.getValue("maxMessageLength") instanceof Integer n) || n < 1 || n > MAX_MESSAGE_LENGTH) {
        throw Failure.invalid("profile", "maxMessageLength: 1 to " + MAX_MESSAGE_LENGTH);
      }
      max = n;
    }
    return new Device.Profile(accept, max, bool(p, "presence", base.presence()), bool(p, "blf", base.blf()));
  }

  private static boolean bool(JsonObject p, String field, boolean otherwise) {
    if (!p.containsKey(field)) {
      return otherwise;
    }
    if (!(p.getValue(field) instanceof Boolean b)) {
      throw Failure.invalid("profile", field + ": true or false");
    }
    return b;
  }
}
