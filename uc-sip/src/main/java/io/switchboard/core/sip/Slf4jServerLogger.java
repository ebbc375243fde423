package io.switchboard.core.sip;

import gov.nist.core.ServerLogger;
import gov.nist.javax.sip.message.SIPMessage;
import java.util.Properties;
import javax.sip.SipStack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JAIN-SIP's message trace, at TRACE level on logger {@code switchboard.sip.wire}. Named in the
 * stack property {@code gov.nist.javax.sip.SERVER_LOGGER}.
 */
public final class Slf4jServerLogger implements ServerLogger {

  private static final Logger WIRE = LoggerFactory.getLogger("switchboard.sip.wire");

  @Override
  public void closeLogFile() {
  }

  @Override
  public void logMessage(SIPMessage message, String from, String to, boolean sender, long time) {
    if (WIRE.isTraceEnabled()) {
      WIRE.trace("{} {} -> {}\n{}", sender ? "sent" : "received", from, to, message);
    }
  }

  @Override
  public void logMessage(SIPMessage message, String from, String to, String status, boolean sender, long time) {
    logMessage(message, from, to, sender, time);
  }

  @Override
  public void logMessage(SIPMessage message, String from, String to, String status, boolean sender) {
    logMessage(message, from, to, sender, 0);
  }

  @Override
  public void logException(Exception ex) {
    WIRE.debug("SIP exception", ex);
  }

  @Override
  public void setStackProperties(Properties properties) {
  }

  @Override
  public void setSipStack(SipStack sipStack) {
  }
}
