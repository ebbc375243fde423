package io.switchboard.core.sip;

import java.util.function.Consumer;
import javax.sip.message.Response;

/**
 * What a method handler decided. The edge turns it into wire traffic, so handlers never send
 * responses themselves (Jicofo's IqProcessingResult, transposed to SIP).
 */
public sealed interface SipOutcome {

  /**
   * Answer with this status; {@code decorate} adds headers or a body to the prepared response;
   * {@code afterSent} runs on the request's SIP context once it is on the wire (a NOTIFY must follow the 200
   * of its SUBSCRIBE, not overtake it).
   */
  record Reply(int status, Consumer<Response> decorate, Runnable afterSent) implements SipOutcome {
  }

  /** Adds nothing: a reply with it is the bare answer, which the edge may encode without building a response. */
  Consumer<Response> NO_HEADERS = r -> { };

  static SipOutcome reply(int status) {
    return new Reply(status, NO_HEADERS, () -> { });
  }

  static SipOutcome reply(int status, Consumer<Response> decorate) {
    return new Reply(status, decorate, () -> { });
  }

  static SipOutcome reply(int status, Consumer<Response> decorate, Runnable afterSent) {
    return new Reply(status, decorate, afterSent);
  }
}
