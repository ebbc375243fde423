package io.switchboard.api.admin;

import io.switchboard.api.BusPayload;
import io.switchboard.api.JsonLists;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Every logger with a level of its own, ROOT first: the reply of {@link LogLevelsRequest}. */
public record LogLevelList(List<LoggerLevel> levels) implements BusPayload {

  /** @param effective the level the logger acts on (its own or inherited) */
  public record LoggerLevel(String logger, String level, String effective) implements BusPayload {

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("logger", logger).put("level", level).put("effective", effective);
    }

    public static LoggerLevel fromJson(JsonObject json) {
      return new LoggerLevel(json.getString("logger"), json.getString("level"), json.getString("effective"));
    }
  }

  public LogLevelList {
    levels = List.copyOf(levels);
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("levels", JsonLists.toArray(levels));
  }

  public static LogLevelList fromJson(JsonObject json) {
    return new LogLevelList(JsonLists.fromArray(json.getJsonArray("levels"), LoggerLevel::fromJson));
  }
}
