package io.switchboard.core.sip;

import javax.sip.ServerTransaction;
import javax.sip.message.Request;

/**
 * One received request, as handed from a JAIN-SIP thread to a SIP context.
 *
 * @param transaction null for ACK, and for a request answered without a transaction
 *     ({@link SipEdge#handleWithoutTransaction})
 * @param sourceHost the address the request came from (for logs and NAT handling)
 * @param transport lower case: udp, tcp, tls
 * @param screened its credentials as the edge screened them before the hand-off (UDP), for
 *     {@link DigestAuthenticator#authenticate} to check without screening them again; null when not screened
 */
public record SipRequest(Request request, ServerTransaction transaction, String sourceHost, int sourcePort,
    String transport, DigestAuthenticator.Screened screened) {

  /** A request whose credentials, if any, were not screened yet. */
  public SipRequest(Request request, ServerTransaction transaction, String sourceHost, int sourcePort, String transport) {
    this(request, transaction, sourceHost, sourcePort, transport, null);
  }

  public String method() {
    return request.getMethod();
  }

  public String callId() {
    javax.sip.header.CallIdHeader h = (javax.sip.header.CallIdHeader) request.getHeader(javax.sip.header.CallIdHeader.NAME);
    return h == null ? "?" : h.getCallId();
  }
}
