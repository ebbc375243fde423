package io.switchboard.api.im;

import io.switchboard.api.BusPayload;
import io.switchboard.api.ImMessage;
import io.switchboard.api.JsonLists;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** The reply of {@link ImConversationsQuery}: one entry per peer or room, most recent first. */
public record ImConversations(List<Conversation> conversations) implements BusPayload {

  /** @param with the peer's username or {@code room-<name>} */
  public record Conversation(String with, ImMessage last) implements BusPayload {

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("with", with).put("last", last.toJson());
    }

    public static Conversation fromJson(JsonObject json) {
      return new Conversation(json.getString("with"), ImMessage.fromJson(json.getJsonObject("last")));
    }
  }

  public ImConversations {
    conversations = List.copyOf(conversations);
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("conversations", JsonLists.toArray(conversations));
  }

  public static ImConversations fromJson(JsonObject json) {
    return new ImConversations(JsonLists.fromArray(json.getJsonArray("conversations"), Conversation::fromJson));
  }
}
