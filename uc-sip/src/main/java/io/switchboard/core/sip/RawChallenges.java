package io.switchboard.core.sip;

import io.switchboard.core.metrics.Metrics;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first round of every digest exchange over UDP, answered from the datagram's bytes: a
 * REGISTER, MESSAGE, SUBSCRIBE or PUBLISH (with a handler) that carries no credentials gets its
 * 401/407 without JAIN-SIP parsing it, making a server transaction, or building the response with
 * {@code createResponse}. {@link RawRequest} decides, on the stack's UDP receiving thread, whether a
 * datagram is certainly such a request, and answers it there, at once (one of the stack's threads
 * parsed and answered it before): the same response the stack path gives ({@link SipEdge#processRequest}),
 * Via rewritten as the stack rewrites it on receipt, the stateless To tag and the nonces of the same
 * exchange, so a retransmission, whichever path it takes, gets the same bytes. Everything else is
 * left to the stack.
 *
 * <p>The checks the stack path makes still apply, in its order: a source blocked after failed
 * digests is left to the stack (its 403), the flood guard is asked once (its 503 is sent from here,
 * a dropped request is taken and not answered), the answer is counted in the metrics. Requests
 * without credentials record no security event on either path.
 */
final class RawChallenges {

  private static final Logger LOG = LoggerFactory.getLogger(RawChallenges.class);
  private static final Logger WIRE = LoggerFactory.getLogger("switchboard.sip.wire");

  /** Sends a datagram from the SIP listening socket. */
  interface Sender {
    void send(byte[] datagram, InetSocketAddress to) throws IOException;
  }

  private final DigestAuthenticator authenticator;
  private final FloodGuard flood;
  private final Metrics metrics;
  /** The methods answered here: those the authenticator challenges that have a handler. */
  private final Set<String> methods;
  private final Sender sender;
  /** Our Server header line, as the stack path adds it. */
  private final String serverLine;
  private final LongAdder answered = new LongAdder();
  private volatile boolean enabled = true;

  RawChallenges(DigestAuthenticator authenticator, FloodGuard flood, Metrics metrics, Set<String> methods, Sender sender,
      String serverLine) {
    this.authenticator = authenticator;
    this.flood = flood;
    this.metrics = metrics;
    this.methods = Set.copyOf(methods);
    this.sender = sender;
    this.serverLine = serverLine;
  }

  /** Requests taken from their bytes so far (answered, or dropped by the flood guard). */
  long taken() {
    return answered.sum();
  }

  /** Off: every request goes to the stack as before (tests compare the two paths' answers). */
  void enabled(boolean on) {
    enabled = on;
  }

  /**
   * On the stack's UDP receiving thread: takes the datagram when it is certainly a request to
   * challenge, and answers it.
   *
   * @return whether it was taken (the stack will not see it)
   */
  boolean take(byte[] buf, int off, int len, InetSocketAddress from) {
    if (!enabled || from == null || !(from.getAddress() instanceof Inet4Address)) {
      return false;
    }
    String method = RawRequest.method(buf, off, len);
    if (method == null || !methods.contains(method)) {
      return false;
    }
    RawRequest request = RawRequest.scan(buf, off, len);
    if (request == null) {
      return false;
    }
    if (WIRE.isTraceEnabled()) {
      WIRE.trace("received <- {} (challenged from its bytes)\n{}", from, new String(buf, off, len, StandardCharsets.UTF_8));
    }
    String source = from.getAddress().getHostAddress();
    if (authenticator.blocked(source)) {
      return false; // refused with 403 on the stack path, which also logs it
    }
    long started = System.nanoTime();
    FloodGuard.Verdict verdict = flood.check(source);
    answered.increment();
    if (verdict == FloodGuard.Verdict.DROP) {
      return true;
    }
    // Answered right here: a few microseconds (a nonce's HMAC, the encoding, one send), less than the
    // hand-off to an event loop costs, and no wait behind the loops' work (measured, bench/README).
    answer(request, source, from.getPort(), verdict == FloodGuard.Verdict.REJECT, started);
    return true;
  }

  private void answer(RawRequest request, String source, int sourcePort, boolean flooding, long started) {
    RawRequest.Via via = request.topVia().received(source, sourcePort);
    int status;
    String tag;
    String extra;
    if (flooding) {
      // As SipEdge#admitted answers a flood: a fresh tag, Retry-After, our Server header.
      status = Response.SERVICE_UNAVAILABLE;
      tag = SipTags.newTag();
      extra = "Retry-After: " + flood.retryAfterSeconds() + "\r\n" + serverLine;
    } else {
      boolean proxy = DigestAuthenticator.CHALLENGED.get(request.method());
      status = proxy ? Response.PROXY_AUTHENTICATION_REQUIRED : Response.UNAUTHORIZED;
      tag = SipTags.statelessTag(request.callId(), request.fromTag(), request.cseq(), request.branch());
      extra = serverLine + authenticator.challengeLines(
          DigestAuthenticator.exchange(request.callId(), request.fromTag(), request.cseq(), request.method(), request.branch()),
          proxy);
    }
    byte[] bytes = encode(request, via, status, tag, extra);
    try {
      InetSocketAddress to = new InetSocketAddress(InetAddress.getByAddress(
          io.netty.util.NetUtil.createByteArrayFromIpAddressString(via.targetHost())), via.targetPort());
      sender.send(bytes, to);
      if (WIRE.isTraceEnabled()) {
        WIRE.trace("sent -> {}\n{}", to, new String(bytes, StandardCharsets.US_ASCII));
      }
      if (!flooding) {
        metrics.sipAnswered(request.method(), status, System.nanoTime() - started);
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("cannot send {} [call-id: {}]: {}", status, request.callId(), e.toString());
    }
  }

  /**
   * The response as the stack path encodes it: status line, then CSeq, Call-ID, From, To with our
   * tag and the Via(s) (as {@code createResponse} copies them), then
   * {@code extra}, then an empty body.
   */
  static byte[] encode(RawRequest request, RawRequest.Via topVia, int status, String tag, String extra) {
    StringBuilder out = new StringBuilder(384 + extra.length());
    out.append("SIP/2.0 ").append(status).append(' ')
        .append(gov.nist.javax.sip.message.SIPResponse.getReasonPhrase(status)).append("\r\n");
    // createResponse copies them in the order of its set of their names (a HashSet), whatever the request's.
    out.append("CSeq: ").append(request.cseq()).append(' ').append(request.method()).append("\r\n");
    out.append("Call-ID: ").append(request.callId()).append("\r\n");
    out.append("From: ").append(request.from().encode()).append("\r\n");
    out.append("To: ").append(request.to().encode()).append(";tag=").append(tag).append("\r\n");
    // All Vias on one line, as JAIN-SIP encodes its Via list.
    out.append("Via: ").append(topVia.encode());
    for (int i = 1; i < request.vias().size(); i++) {
      out.append(',').append(request.vias().get(i).encode());
    }
    out.append("\r\n");
    out.append(extra).append("Content-Length: 0\r\n\r\n");
    return out.toString().getBytes(StandardCharsets.US_ASCII);
  }
}
