package io.switchboard.server.logging;

import io.switchboard.api.BusCalls;
import io.switchboard.api.BusFailure;
import io.switchboard.api.admin.LogLevelList;
import io.switchboard.api.admin.LogLevelsRequest;
import java.util.ArrayList;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.switchboard.api.EventAddresses;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;

/**
 * Log levels at run time, answered on {@link EventAddresses#LOG_LEVELS} for the admin page. Changes
 * last until the process stops (logback.xml applies again at the next start).
 */
public final class LogLevels {

  private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(LogLevels.class);
  static final List<String> LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");
  /** A Java package or class name, as loggers are named. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z_$][\\w$-]*(\\.[A-Za-z_$][\\w$-]*)*");

  private final LoggerContext context;
  private MessageConsumer<JsonObject> consumer;

  LogLevels(LoggerContext context) {
    this.context = context;
  }

  /** Empty when SLF4J is bound to something else than logback. */
  public static Optional<LogLevels> ofLogback() {
    return LoggerFactory.getILoggerFactory() instanceof LoggerContext c ? Optional.of(new LogLevels(c)) : Optional.empty();
  }

  public Future<Void> register(EventBus bus) {
    consumer = bus.consumer(EventAddresses.LOG_LEVELS,
        BusCalls.answer(LogLevelsRequest::fromJson, this::handle, e -> BusFailure.internal()));
    return consumer.completion();
  }

  public Future<Void> unregister() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  private Future<LogLevelList> handle(LogLevelsRequest request) {
    if (!request.caller().isAdmin()) {
      return Future.failedFuture(BusFailure.administratorsOnly());
    }
    if (request.change()) {
      try {
        set(request.logger(), request.level());
      } catch (InvalidLevel e) {
        return Future.failedFuture(BusFailure.invalid(e.field, e.reason));
      }
    }
    return Future.succeededFuture(levels());
  }

  /** A logger name or a level that will not do: the field and why. */
  static final class InvalidLevel extends IllegalArgumentException {
    final String field;
    final String reason;

    InvalidLevel(String field, String reason) {
      super(field + ": " + reason);
      this.field = field;
      this.reason = reason;
    }
  }

  /**
   * @param name a logger name, or ROOT
   * @param level one of {@link #LEVELS}, or null to inherit from the parent logger
   * @throws InvalidLevel naming logger or level, for the API's 400
   */
  void set(Object name, Object level) {
    if (!(name instanceof String n) || !(n.equalsIgnoreCase("ROOT") || (n.length() <= 200 && NAME.matcher(n).matches()))) {
      throw new InvalidLevel("logger", "a logger name such as io.switchboard.im, or ROOT");
    }
    boolean root = n.equalsIgnoreCase("ROOT");
    Level parsed = null;
    if (level != null) {
      String l = level instanceof String s ? s.trim().toUpperCase(Locale.ROOT) : "";
      if (!LEVELS.contains(l)) {
        throw new InvalidLevel("level", "one of " + String.join(", ", LEVELS) + ", or null to inherit");
      }
      parsed = Level.toLevel(l);
    } else if (root) {
      throw new InvalidLevel("level", "ROOT needs a level; it has no parent to inherit from");
    }
    Logger logger = context.getLogger(root ? org.slf4j.Logger.ROOT_LOGGER_NAME : n);
    Level before = logger.getLevel();
    logger.setLevel(parsed);
    LOG.info("Log level changed [logger: {}, level: {}, was: {}]", logger.getName(),
        parsed == null ? "inherited" : parsed, before == null ? "inherited" : before);
  }

  /** Every logger with a level of its own, ROOT first, with the level it acts on. */
  LogLevelList levels() {
    List<LogLevelList.LoggerLevel> out = new ArrayList<>();
    for (Logger logger : context.getLoggerList()) {
      if (logger.getLevel() != null) {
        out.add(new LogLevelList.LoggerLevel(logger.getName(), logger.getLevel().toString(),
            logger.getEffectiveLevel().toString()));
      }
    }
    return new LogLevelList(out);
  }
}
