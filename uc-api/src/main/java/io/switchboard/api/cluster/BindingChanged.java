package io.switchboard.api.cluster;

import io.switchboard.api.BusPayload;
import io.switchboard.api.RegistrationEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A binding changed on node {@code from} (registered, refreshed, removed, expired): published on
 * {@link io.switchboard.api.EventAddresses#BINDING_CHANGED} after the store has it, so that every
 * node's memory follows.
 */
public record BindingChanged(String from, RegistrationEvent.Change change, Binding binding) implements BusPayload {

  /** A binding as the registrar keeps it; {@code node} is the node holding its flow. */
  public record Binding(String username, String key, String contact, long expiresAtMillis, String callId, long cseq,
      float q, String userAgent, List<String> accept, String transport, String source, String device, String node)
      implements BusPayload {

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("username", username).put("key", key).put("contact", contact)
          .put("expiresAt", expiresAtMillis).put("callId", callId).put("cseq", cseq).put("q", (double) q)
          .put("userAgent", userAgent).put("accept", new JsonArray(accept)).put("transport", transport)
          .put("source", source).put("device", device).put("node", node);
    }

    public static Binding fromJson(JsonObject b) {
      return new Binding(b.getString("username"), b.getString("key"), b.getString("contact"), b.getLong("expiresAt"),
          b.getString("callId"), b.getLong("cseq", 0L), b.getDouble("q", 1.0).floatValue(), b.getString("userAgent"),
          b.getJsonArray("accept", new JsonArray()).stream().map(String::valueOf).toList(), b.getString("transport"),
          b.getString("source"), b.getString("device"), b.getString("node"));
    }
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("from", from).put("change", change.name()).put("binding", binding.toJson());
  }

  public static BindingChanged fromJson(JsonObject json) {
    return new BindingChanged(json.getString("from"), RegistrationEvent.Change.valueOf(json.getString("change")),
        Binding.fromJson(json.getJsonObject("binding")));
  }
}
