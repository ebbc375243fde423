package io.switchboard.api.im;

import io.switchboard.api.BusPayload;
import io.vertx.core.json.JsonObject;

/**
 * A file carried by a message: what the console shows and the link phones get.
 *
 * @param type the type it is served as (checked against its first bytes)
 * @param url the download link, with the file's token (works without a session)
 */
public record FileRef(String id, String name, long size, String type, String url) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("name", name).put("size", size).put("type", type).put("url", url);
  }

  /** Null for null: a message without a file. */
  public static FileRef fromJson(JsonObject json) {
    return json == null ? null : new FileRef(json.getString("id"), json.getString("name"), json.getLong("size", 0L),
        json.getString("type"), json.getString("url"));
  }
}
