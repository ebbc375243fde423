package io.switchboard.api.telephony;

import io.switchboard.api.BusPayload;
import io.vertx.core.json.JsonObject;

/**
 * A user's voicemail, as Asterisk last reported it (AMI {@code MessageWaiting}). Published on
 * {@link io.switchboard.api.EventAddresses#VOICEMAIL_WAITING} at every change; also the reply to
 * {@link VoicemailQuery} (zero counts and a null mailbox when Asterisk has said nothing of it).
 *
 * @param mailbox Asterisk's {@code mailbox@context}, e.g. {@code 1001@default}
 */
public record VoicemailWaiting(String username, String mailbox, int newMessages, int oldMessages)
    implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("username", username).put("mailbox", mailbox).put("new", newMessages)
        .put("old", oldMessages);
  }

  public static VoicemailWaiting fromJson(JsonObject json) {
    return new VoicemailWaiting(json.getString("username"), json.getString("mailbox"), json.getInteger("new", 0),
        json.getInteger("old", 0));
  }
}
