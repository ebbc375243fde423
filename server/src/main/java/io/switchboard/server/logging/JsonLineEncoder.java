package io.switchboard.server.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import org.slf4j.event.KeyValuePair;

/**
 * One flat JSON object per line, for journald, Loki or ELK: {@code time} (ISO-8601 UTC, milliseconds),
 * {@code level}, {@code logger}, {@code thread}, {@code message} (without its context group),
 * {@code context} (the {@code [key: value, ...]} group of the text line, then SLF4J key-value pairs and
 * the MDC; values are strings) when there is one, and {@code exception} (class, message and stack
 * trace, as the text line shows it) when there is one. Usable in an operator's own logback.xml as
 * {@code <encoder class="io.switchboard.server.logging.JsonLineEncoder"/>}.
 */
public final class JsonLineEncoder extends EncoderBase<ILoggingEvent> {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  @Override
  public byte[] headerBytes() {
    return null;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    MessageContext parsed = MessageContext.parse(event.getFormattedMessage());
    JsonObject context = new JsonObject();
    parsed.context().forEach(context::put);
    if (event.getKeyValuePairs() != null) {
      for (KeyValuePair kv : event.getKeyValuePairs()) {
        context.put(kv.key, String.valueOf(kv.value));
      }
    }
    Map<String, String> mdc = event.getMDCPropertyMap();
    if (mdc != null) {
      mdc.forEach(context::put);
    }
    return line(TIME.format(event.getInstant()), event.getLevel().toString(), event.getLoggerName(),
        event.getThreadName(), parsed.text(), context, event.getThrowableProxy());
  }

  /** A line for something written outside logging, in the same shape (the start-up banner). */
  public static byte[] line(String time, String level, String logger, String thread, String message,
      JsonObject context, IThrowableProxy exception) {
    JsonObject json = new JsonObject()
        .put("time", time)
        .put("level", level)
        .put("logger", logger)
        .put("thread", thread)
        .put("message", message);
    if (context != null && !context.isEmpty()) {
      json.put("context", context);
    }
    if (exception != null) {
      json.put("exception", ThrowableProxyUtil.asString(exception));
    }
    return (json.encode() + "\n").getBytes(StandardCharsets.UTF_8);
  }

  /** The time as {@link #encode} writes it. */
  public static String time(java.time.Instant instant) {
    return TIME.format(instant);
  }

  @Override
  public byte[] footerBytes() {
    return null;
  }
}
