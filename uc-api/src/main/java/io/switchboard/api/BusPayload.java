package io.switchboard.api;

import io.vertx.core.json.JsonObject;

/**
 * A record that crosses the event bus: it is sent as the JSON object {@link #toJson()} makes (the
 * wire form on a clustered bus too) and read back by the record's static {@code fromJson(JsonObject)}.
 * Each record's codec is those two methods and nothing else.
 */
public interface BusPayload {

  JsonObject toJson();
}
