package io.switchboard.api.cluster;

import io.switchboard.api.BusPayload;
import io.vertx.core.json.JsonObject;

/**
 * A request for a device whose flow another node holds, sent to that node's
 * {@link io.switchboard.api.EventAddresses#sipSend} address; the reply is a {@link SipSendResult}.
 *
 * @param request the SIP request without its body, as text
 * @param body its body in base64, or null
 * @param transport the transport of its Via (udp, tcp, tls)
 * @param notAfter the sender's wall clock (epoch ms) after which the node must not send it any more (the
 *     sender may have given up on it and stored the message: a node that was paused or cut off finds it in
 *     its socket when it resumes); 0 for no limit
 */
public record SipSend(String request, String body, String transport, long notAfter) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("request", request).put("body", body).put("transport", transport).put("notAfter", notAfter);
  }

  public static SipSend fromJson(JsonObject json) {
    return new SipSend(json.getString("request"), json.getString("body"), json.getString("transport", "udp"),
        json.getLong("notAfter", 0L));
  }
}
