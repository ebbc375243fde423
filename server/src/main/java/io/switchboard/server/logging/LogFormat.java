package io.switchboard.server.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.Iterator;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code log.format}: logback reads logback.xml before the configuration is loaded, so the
 * console appenders get the JSON encoder afterwards, before anything else logs.
 */
public final class LogFormat {

  private LogFormat() {
  }

  /**
   * Gives every console appender of the root logger the {@link JsonLineEncoder}.
   *
   * @return false when logging is not logback or has no console appender (an operator's own logback.xml)
   */
  public static boolean useJson() {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return false;
    }
    boolean any = false;
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      if (it.next() instanceof ConsoleAppender<ILoggingEvent> console) {
        JsonLineEncoder encoder = new JsonLineEncoder();
        encoder.setContext(context);
        encoder.start();
        console.stop();
        console.setEncoder(encoder);
        console.start();
        any = true;
      }
    }
    return any;
  }

  /**
   * Where text meant for the operator's eyes goes (the one-time admin password, the start-up line):
   * as is in text format; in JSON format as one line of the same shape as the log's, written to the
   * console only, never through an appender an operator may have pointed elsewhere.
   */
  public static Consumer<String> console(boolean json, PrintStream out, String logger) {
    if (!json) {
      return out::println;
    }
    return text -> {
      try {
        out.write(JsonLineEncoder.line(JsonLineEncoder.time(Instant.now()), "INFO", logger,
            Thread.currentThread().getName(), text.strip(), new JsonObject(), null));
        out.flush();
      } catch (IOException e) {
        // PrintStream.write(byte[]) declares it but never throws: it sets its error flag instead.
      }
    };
  }
}
