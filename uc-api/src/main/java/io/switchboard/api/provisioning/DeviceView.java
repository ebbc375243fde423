package io.switchboard.api.provisioning;

import io.switchboard.api.BusPayload;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * A device's public view: never its SIP secret nor its provisioning token.
 *
 * @param kind desk-phone, softphone, mobile or browser
 * @param profile what the device takes: {@code {"accept": [...], "maxMessageLength", "presence", "blf"}}
 * @param provisioningUrl where the phone fetches its files, or null
 */
public record DeviceView(String id, String username, String kind, String vendor, String model, String mac,
    String endpoint, JsonObject profile, Instant createdAt, Instant updatedAt, String provisioningUrl)
    implements BusPayload {

  @Override
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("id", id).put("username", username).put("kind", kind)
        .put("vendor", vendor).put("model", model).put("mac", mac).put("endpoint", endpoint).put("profile", profile)
        .put("createdAt", createdAt == null ? null : createdAt.toString())
        .put("updatedAt", updatedAt == null ? null : updatedAt.toString());
    if (provisioningUrl != null) {
      json.put("provisioningUrl", provisioningUrl);
    }
    return json;
  }

  public static DeviceView fromJson(JsonObject json) {
    return new DeviceView(json.getString("id"), json.getString("username"), json.getString("kind"),
        json.getString("vendor"), json.getString("model"), json.getString("mac"), json.getString("endpoint"),
        json.getJsonObject("profile"), instant(json.getString("createdAt")), instant(json.getString("updatedAt")),
        json.getString("provisioningUrl"));
  }

  private static Instant instant(String s) {
    return s == null ? null : Instant.parse(s);
  }
}
