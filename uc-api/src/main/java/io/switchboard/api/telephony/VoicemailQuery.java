package io.switchboard.api.telephony;

import io.switchboard.api.BusPayload;
import io.switchboard.api.Caller;
import io.vertx.core.json.JsonObject;

/** The caller's own voicemail counts. Request on {@link io.switchboard.api.EventAddresses#VOICEMAIL_GET}; reply {@link VoicemailWaiting}. */
public record VoicemailQuery(Caller caller) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("caller", caller.toJson());
  }

  public static VoicemailQuery fromJson(JsonObject json) {
    return new VoicemailQuery(Caller.fromJson(json.getJsonObject("caller")));
  }
}
