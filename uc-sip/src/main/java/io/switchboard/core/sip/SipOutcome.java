package io.switchboard.core.sip;

import java.text.ParseException;
import java.util.List;
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
  Headers NO_HEADERS = Headers.of();

  /**
   * Adds headers given as text, name then value, in order: the edge may write them straight into an
   * answer it encodes itself (the bare answer is {@link #NO_HEADERS}), instead of building
   * header objects to encode them again. For values that are already valid (a tag, a number).
   */
  record Headers(List<String> namesAndValues) implements Consumer<Response> {

    private static final javax.sip.header.HeaderFactory FACTORY = new gov.nist.javax.sip.header.HeaderFactoryImpl();

    public static Headers of(String... namesAndValues) {
      if (namesAndValues.length % 2 != 0) {
        throw new IllegalArgumentException("a value for each name");
      }
      return new Headers(List.of(namesAndValues));
    }

    @Override
    public void accept(Response response) {
      for (int i = 0; i < namesAndValues.size(); i += 2) {
        try {
          response.addHeader(FACTORY.createHeader(namesAndValues.get(i), namesAndValues.get(i + 1)));
        } catch (ParseException e) {
          throw new IllegalStateException(e);
        }
      }
    }

    /** The headers as lines, each ended by CRLF, as the stack encodes these. */
    void appendTo(StringBuilder out) {
      for (int i = 0; i < namesAndValues.size(); i += 2) {
        out.append(namesAndValues.get(i)).append(": ").append(namesAndValues.get(i + 1)).append("\r\n");
      }
    }
  }

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
