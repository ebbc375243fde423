package io.switchboard.server.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** One JSON object per line, with the fields operators' tools index. */
class JsonLineEncoderTest {

  /** The test run's own logback (a bare new LoggerContext has no MDC adapter). */
  private final LoggerContext context = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
  private final JsonLineEncoder encoder = new JsonLineEncoder();

  private JsonObject encode(LoggingEvent event) {
    String line = new String(encoder.encode(event), StandardCharsets.UTF_8);
    assertTrue(line.endsWith("\n"), line);
    assertEquals(1, line.split("\n", -1).length - 1, "exactly one line: " + line);
    return new JsonObject(line);
  }

  @Test
  void aLineWithContextKeysAndAKeyValuePair() {
    LoggingEvent event = new LoggingEvent("fqcn", context.getLogger("io.switchboard.core.sip.Registrar"), Level.INFO,
        "Registration refreshed [user: {}, bindings: {}]", null, new Object[] {"alice \"the\" first", 1});
    event.setThreadName("vert.x-eventloop-thread-1");
    event.setInstant(Instant.parse("2026-11-30T03:04:05.006789Z"));
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("source", "127.0.0.1:5062"));
    JsonObject json = encode(event);
    assertEquals("2026-11-30T03:04:05.006Z", json.getString("time"));
    assertEquals("INFO", json.getString("level"));
    assertEquals("io.switchboard.core.sip.Registrar", json.getString("logger"));
    assertEquals("vert.x-eventloop-thread-1", json.getString("thread"));
    assertEquals("Registration refreshed", json.getString("message"));
    assertEquals(new JsonObject().put("user", "alice \"the\" first").put("bindings", "1").put("source", "127.0.0.1:5062"),
        json.getJsonObject("context"));
    assertFalse(json.containsKey("exception"));
  }

  @Test
  void anExceptionWithItsStackTraceStaysOnOneLine() {
    LoggingEvent event = new LoggingEvent("fqcn", context.getLogger("x"), Level.ERROR, "Start-up failed\nsecond line",
        new IllegalStateException("store gone", new java.io.IOException("refused")), null);
    JsonObject json = encode(event);
    assertEquals("Start-up failed\nsecond line", json.getString("message"));
    assertFalse(json.containsKey("context"));
    String exception = json.getString("exception");
    assertTrue(exception.startsWith("java.lang.IllegalStateException: store gone"), exception);
    assertTrue(exception.contains("Caused by: java.io.IOException: refused"), exception);
    assertTrue(exception.contains("\tat io.switchboard.server.logging.JsonLineEncoderTest"), exception);
  }
}
