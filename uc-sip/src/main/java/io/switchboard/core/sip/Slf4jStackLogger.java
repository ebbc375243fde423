package io.switchboard.core.sip;

import gov.nist.core.StackLogger;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes JAIN-SIP's own logging to SLF4J so that log4j 1.x never has to be on the classpath.
 * Named in the stack property {@code gov.nist.javax.sip.STACK_LOGGER}.
 */
public final class Slf4jStackLogger implements StackLogger {

  private static final Logger LOG = LoggerFactory.getLogger("gov.nist.javax.sip");
  /** JAIN-SIP puts whole datagrams (as 65,535 decimal bytes) in some messages: keep logs readable. */
  private static final int MAX_MESSAGE = 300;

  static String shorten(String message) {
    return message == null || message.length() <= MAX_MESSAGE ? message
        : message.substring(0, MAX_MESSAGE) + "... (" + message.length() + " chars)";
  }

  /**
   * A peer's garbage is the peer's problem: debug, not error (expected client errors at debug). So
   * is a TLS handshake a client fails (an old protocol, no suite in common) or a keep-alive
   * answer to a client already gone.
   */
  private static boolean peerError(String message) {
    return message != null && (message.startsWith("Error while processing incoming UDP packet")
        || message.contains("Dropping Badly formatted") || message.startsWith("BAD MESSAGE")
        || message.startsWith("A problem occured while Accepting connection")
        || message.startsWith("A problem occured while trying to send a single CLRF"));
  }

  @Override
  public void logStackTrace() {
    if (LOG.isTraceEnabled()) {
      LOG.trace("stack trace", new Throwable("stack trace"));
    }
  }

  @Override
  public void logStackTrace(int traceLevel) {
    logStackTrace();
  }

  @Override
  public int getLineCount() {
    return 0;
  }

  @Override
  public void logException(Throwable ex) {
    LOG.warn("JAIN-SIP exception", ex);
  }

  @Override
  public void logDebug(String message) {
    LOG.debug(shorten(message));
  }

  @Override
  public void logDebug(String message, Exception ex) {
    LOG.debug(message, ex);
  }

  @Override
  public void logTrace(String message) {
    LOG.trace(message);
  }

  @Override
  public void logFatalError(String message) {
    LOG.error(shorten(message));
  }

  @Override
  public void logError(String message) {
    if (peerError(message)) {
      LOG.debug(shorten(message));
    } else {
      LOG.error(shorten(message));
    }
  }

  @Override
  public boolean isLoggingEnabled() {
    return LOG.isInfoEnabled();
  }

  @Override
  public boolean isLoggingEnabled(int logLevel) {
    if (logLevel >= TRACE_DEBUG) {
      return LOG.isDebugEnabled();
    }
    if (logLevel >= TRACE_INFO) {
      return LOG.isInfoEnabled();
    }
    return logLevel > TRACE_NONE;
  }

  @Override
  public void logError(String message, Exception ex) {
    if (peerError(message)) {
      LOG.debug(shorten(message), ex);
    } else {
      LOG.error(shorten(message), ex);
    }
  }

  @Override
  public void logWarning(String message) {
    // The stack warns about things we chose (no TLS keystore, default policies): not operator news.
    LOG.debug(shorten(message));
  }

  @Override
  public void logInfo(String message) {
    LOG.debug(shorten(message));
  }

  @Override
  public void disableLogging() {
  }

  @Override
  public void enableLogging() {
  }

  @Override
  public void setBuildTimeStamp(String buildTimeStamp) {
  }

  @Override
  public void setStackProperties(Properties properties) {
  }

  @Override
  public String getLoggerName() {
    return LOG.getName();
  }
}
