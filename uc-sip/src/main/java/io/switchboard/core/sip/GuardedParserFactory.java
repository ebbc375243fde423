package io.switchboard.core.sip;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.parser.MessageParser;
import gov.nist.javax.sip.parser.MessageParserFactory;
import gov.nist.javax.sip.parser.ParseExceptionListener;
import gov.nist.javax.sip.parser.StringMsgParser;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.text.ParseException;

/**
 * JAIN-SIP's parser, guarded against a race in its TCP channel (1.3.0-91): on a bad mandatory
 * header {@code TCPMessageChannel.handleException} checks its socket, then closes it, while the
 * connection's reader thread may null it in between. The NullPointerException killed the
 * connection's parser thread (found by SipFuzzTest). The message is malformed either way: the
 * guard rethrows the parse error, as the channel meant to.
 */
public final class GuardedParserFactory implements MessageParserFactory {

  private static final MessageParser PARSER = new GuardedParser();

  @Override
  public MessageParser createMessageParser(SIPTransactionStack stack) {
    return PARSER;
  }

  private static final class GuardedParser extends StringMsgParser {

    @Override
    public SIPMessage parseSIPMessage(byte[] bytes, boolean readBody, boolean strict, ParseExceptionListener listener)
        throws ParseException {
      return super.parseSIPMessage(bytes, readBody, strict, listener == null ? null : guarded(listener));
    }

    private static ParseExceptionListener guarded(ParseExceptionListener channel) {
      return (error, message, headerClass, header, text) -> {
        try {
          channel.handleException(error, message, headerClass, header, text);
        } catch (NullPointerException socketAlreadyClosed) {
          throw error;
        }
      };
    }
  }
}
