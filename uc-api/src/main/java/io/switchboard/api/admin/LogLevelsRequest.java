package io.switchboard.api.admin;

import io.switchboard.api.BusPayload;
import io.switchboard.api.Caller;
import io.vertx.core.json.JsonObject;

/**
 * Log levels at run time, for administrators (403 otherwise). Request on
 * {@link io.switchboard.api.EventAddresses#LOG_LEVELS}; reply {@link LogLevelList}, after the change
 * when there is one. 400 naming {@code logger} or {@code level} for a bad one.
 *
 * @param change true to set {@code logger}'s level, false only to read the levels
 * @param logger a logger name such as {@code io.switchboard.im}, or {@code ROOT}
 * @param level TRACE, DEBUG, INFO, WARN, ERROR or OFF; null to inherit from the parent (not for ROOT)
 */
public record LogLevelsRequest(Caller caller, boolean change, String logger, String level) implements BusPayload {

  public static LogLevelsRequest read(Caller caller) {
    return new LogLevelsRequest(caller, false, null, null);
  }

  public static LogLevelsRequest set(Caller caller, String logger, String level) {
    return new LogLevelsRequest(caller, true, logger, level);
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("caller", caller.toJson()).put("change", change).put("logger", logger)
        .put("level", level);
  }

  public static LogLevelsRequest fromJson(JsonObject json) {
    return new LogLevelsRequest(Caller.fromJson(json.getJsonObject("caller")), json.getBoolean("change", false),
        json.getString("logger"), json.getString("level"));
  }
}
