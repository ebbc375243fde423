package io.switchboard.api.sip;

import io.switchboard.api.BusPayload;
import io.switchboard.api.JsonLists;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Live registrations: the reply of {@link BindingsQuery}. */
public record Bindings(List<Binding> bindings) implements BusPayload {

  /**
   * @param device the id of the provisioned device whose credentials registered it, else null
   * @param node in a cluster, the node holding the device's flow (its REGISTER arrived there), else null
   * @param expiresIn seconds left
   */
  public record Binding(String username, String contact, String userAgent, String transport, String source,
      String device, String node, long expiresIn) implements BusPayload {

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("username", username).put("contact", contact).put("userAgent", userAgent)
          .put("transport", transport).put("source", source).put("device", device).put("node", node).put("expiresIn", expiresIn);
    }

    public static Binding fromJson(JsonObject json) {
      return new Binding(json.getString("username"), json.getString("contact"), json.getString("userAgent"),
          json.getString("transport"), json.getString("source"), json.getString("device"),
          json.getString("node"), json.getLong("expiresIn", 0L));
    }
  }

  public Bindings {
    bindings = List.copyOf(bindings);
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("bindings", JsonLists.toArray(bindings));
  }

  public static Bindings fromJson(JsonObject json) {
    return new Bindings(JsonLists.fromArray(json.getJsonArray("bindings"), Binding::fromJson));
  }
}
