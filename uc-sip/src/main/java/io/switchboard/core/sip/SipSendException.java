package io.switchboard.core.sip;

/** A request we sent got no final response: timeout, unreachable peer, or a transport error. */
public final class SipSendException extends RuntimeException {

  public SipSendException(String message) {
    super(message, null, false, false);
  }
}
