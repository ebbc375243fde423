package io.switchboard.api.im;

import io.switchboard.api.BusPayload;
import io.switchboard.api.ImMessage;
import io.switchboard.api.JsonLists;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** A page of messages, newest first: the reply of {@link ImHistoryQuery}. */
public record ImMessages(List<ImMessage> messages) implements BusPayload {

  public ImMessages {
    messages = List.copyOf(messages);
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("messages", JsonLists.toArray(messages));
  }

  public static ImMessages fromJson(JsonObject json) {
    return new ImMessages(JsonLists.fromArray(json.getJsonArray("messages"), ImMessage::fromJson));
  }
}
