package io.switchboard.api.provisioning;

import io.switchboard.api.BusPayload;
import io.switchboard.api.JsonLists;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What a CSV import did: all or nothing, so with any error the counts are 0.
 *
 * @param imported data rows imported
 * @param withoutPassword users imported without a web password (each needs a set-password link)
 */
public record ImportReport(int imported, int users, int devices, List<RowError> errors, List<String> withoutPassword)
    implements BusPayload {

  /** One bad row: its line (the header is line 1), the column at fault (null: the row). */
  public record RowError(int line, String field, String message) implements BusPayload {

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("line", line).put("field", field).put("message", message);
    }

    public static RowError fromJson(JsonObject json) {
      return new RowError(json.getInteger("line", 0), json.getString("field"), json.getString("message"));
    }
  }

  public ImportReport {
    errors = List.copyOf(errors);
    withoutPassword = List.copyOf(withoutPassword);
  }

  @Override
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("imported", imported).put("users", users).put("devices", devices)
        .put("errors", JsonLists.toArray(errors));
    if (!withoutPassword.isEmpty()) {
      json.put("withoutPassword", new JsonArray(withoutPassword));
    }
    return json;
  }

  public static ImportReport fromJson(JsonObject json) {
    return new ImportReport(json.getInteger("imported", 0), json.getInteger("users", 0), json.getInteger("devices", 0),
        JsonLists.fromArray(json.getJsonArray("errors"), RowError::fromJson),
        JsonLists.strings(json.getJsonArray("withoutPassword")));
  }
}
