package io.switchboard.core.sip;

import io.switchboard.api.RegistrationEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** A binding change as JSON, for {@link io.switchboard.core.cluster.ClusterAddresses#BINDING_CHANGED}. Pure. */
final class ClusterBindings {

  private ClusterBindings() {
  }

  static JsonObject toJson(Binding b, RegistrationEvent.Change change, String from) {
    return new JsonObject().put("from", from).put("change", change.name()).put("binding", new JsonObject()
        .put("username", b.username()).put("key", b.key()).put("contact", b.contact())
        .put("expiresAt", b.expiresAt().toEpochMilli()).put("callId", b.callId()).put("cseq", b.cseq())
        .put("q", (double) b.q()).put("userAgent", b.userAgent()).put("accept", new JsonArray(b.accept()))
        .put("transport", b.transport()).put("source", b.source()).put("device", b.device()).put("node", b.node()));
  }

  static String from(JsonObject json) {
    return json.getString("from");
  }

  static RegistrationEvent.Change change(JsonObject json) {
    return RegistrationEvent.Change.valueOf(json.getString("change"));
  }

  static Binding binding(JsonObject json) {
    JsonObject b = json.getJsonObject("binding");
    return new Binding(b.getString("username"), b.getString("key"), b.getString("contact"),
        Instant.ofEpochMilli(b.getLong("expiresAt")), b.getString("callId"), b.getLong("cseq", 0L),
        b.getDouble("q", 1.0).floatValue(), b.getString("userAgent"),
        b.getJsonArray("accept", new JsonArray()).stream().map(String::valueOf).toList(), b.getString("transport"),
        b.getString("source"), b.getString("device"), b.getString("node"));
  }
}
