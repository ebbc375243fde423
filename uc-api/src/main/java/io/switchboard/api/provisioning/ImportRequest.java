package io.switchboard.api.provisioning;

import io.switchboard.api.BusPayload;
import io.switchboard.api.Caller;
import io.vertx.core.json.JsonObject;

/**
 * A CSV import of users and devices, for administrators (403 otherwise). Request on
 * {@link io.switchboard.api.EventAddresses#IMPORT}; reply {@link ImportReport}. Ask with a long
 * timeout: hashing passwords takes about a tenth of a second per user.
 */
public record ImportRequest(Caller caller, String csv) implements BusPayload {

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("caller", caller.toJson()).put("csv", csv);
  }

  public static ImportRequest fromJson(JsonObject json) {
    return new ImportRequest(Caller.fromJson(json.getJsonObject("caller")), json.getString("csv"));
  }
}
