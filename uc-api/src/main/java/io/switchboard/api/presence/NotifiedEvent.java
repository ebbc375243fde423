package io.switchboard.api.presence;

import io.switchboard.api.BusPayload;
import io.vertx.core.json.JsonObject;

/**
 * A watcher acknowledged a NOTIFY: what each watcher has actually seen. Published on
 * {@link io.switchboard.api.EventAddresses#PRESENCE_NOTIFIED}.
 *
 * @param eventPackage the SIP event package ({@code presence}, {@code dialog}, ...)
 * @param state the subscription's state, lower case
 * @param presence what the NOTIFY showed, or null while pending or for another package
 */
public record NotifiedEvent(String presentity, String watcher, String eventPackage, String state,
    PresenceStatus presence) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("presentity", presentity).put("watcher", watcher).put("package", eventPackage)
        .put("state", state).put("presence", presence == null ? null : presence.toJson());
  }

  public static NotifiedEvent fromJson(JsonObject json) {
    JsonObject presence = json.getJsonObject("presence");
    return new NotifiedEvent(json.getString("presentity"), json.getString("watcher"), json.getString("package"),
        json.getString("state"), presence == null ? null : PresenceStatus.fromJson(presence));
  }
}
