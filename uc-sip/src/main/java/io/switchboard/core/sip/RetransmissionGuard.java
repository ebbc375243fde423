package io.switchboard.core.sip;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.sip.header.CSeqHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a server transaction does for a non-INVITE request over UDP (RFC 3261 §17.2.2), for a handler
 * registered with {@link SipEdge#handleWithoutTransaction}: a retransmission (the same Call-ID, CSeq
 * and Via branch within 64 × T1) is not handled again but gets the original's answer, once that is
 * known. It keeps a key and the answer's future per request instead of a whole transaction with its
 * timers, so that thousands of MESSAGEs a second do not fill the stack's transaction table (each
 * transaction lingers 32 s after its answer). A retransmission has the original's key, so it runs on
 * the original's context ({@link SipAffinity}), after it: the original's answer is always there.
 */
public final class RetransmissionGuard implements SipRequestHandler {

  private static final Logger LOG = LoggerFactory.getLogger(RetransmissionGuard.class);

  /** A UDP client transaction's lifetime (Timer F, 64 × T1): no retransmission comes later. */
  static final long WINDOW_MILLIS = 32_000;

  private record Answer(long atMillis, Future<SipOutcome> outcome) {
  }

  /** A remembered request in the order remembered, so that a purge reads only the expired ones. */
  private record Remembered(String key, Answer answer) {
  }

  private final SipRequestHandler handler;
  private final Clock clock;
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  private final java.util.Queue<Remembered> order = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final AtomicLong lastPurge = new AtomicLong();

  public RetransmissionGuard(SipRequestHandler handler, Clock clock) {
    this.handler = handler;
    this.clock = clock;
  }

  @Override
  public Future<SipOutcome> handle(SipRequest req) {
    if (req.transaction() != null) {
      return handler.handle(req); // TCP, TLS: the stack's transaction absorbs what little comes again
    }
    long now = clock.millis();
    purge(now);
    String key = key(req.request());
    Answer earlier = answers.get(key);
    if (earlier != null && now - earlier.atMillis() <= WINDOW_MILLIS) {
      LOG.debug("{} retransmission answered again [call-id: {}]", req.method(), req.callId());
      // The same answer again (its To tag is derived from the request), without what followed the first.
      return earlier.outcome().map(o -> o instanceof SipOutcome.Reply r ? SipOutcome.reply(r.status(), r.decorate()) : o);
    }
    Future<SipOutcome> outcome;
    try {
      outcome = handler.handle(req);
    } catch (RuntimeException e) {
      outcome = Future.failedFuture(e);
    }
    Answer answer = new Answer(now, settled(outcome));
    answers.put(key, answer);
    order.add(new Remembered(key, answer));
    return outcome;
  }

  /**
   * What is remembered of an answer for the window: its outcome alone. The handler's future is often a
   * composition, which keeps its mapper once completed, and the mapper holds the request, parsed headers and
   * the stack's server transaction: kept for 32 s at thousands a second, that was most of the heap the young
   * collections copied.
   */
  private static Future<SipOutcome> settled(Future<SipOutcome> outcome) {
    if (outcome.isComplete()) {
      return outcome.succeeded() ? Future.succeededFuture(outcome.result()) : Future.failedFuture(outcome.cause());
    }
    Promise<SipOutcome> settled = Promise.promise();
    outcome.onComplete(settled::succeed, settled::fail);
    return settled.future();
  }

  /** Requests remembered now (tests). */
  int remembered() {
    return answers.size();
  }

  private static String key(Request request) {
    ViaHeader via = (ViaHeader) request.getHeader(ViaHeader.NAME);
    CSeqHeader cseq = (CSeqHeader) request.getHeader(CSeqHeader.NAME);
    javax.sip.header.CallIdHeader callId = (javax.sip.header.CallIdHeader) request.getHeader(javax.sip.header.CallIdHeader.NAME);
    return (callId == null ? "" : callId.getCallId()) + '\n' + (cseq == null ? "" : cseq.getSeqNumber() + cseq.getMethod())
        + '\n' + (via == null ? "" : via.getBranch());
  }

  /**
   * Forgets what is older than the window, from the oldest on (the queue is in the order remembered, give
   * or take the few requests of other contexts remembered at the same moment): a purge costs the entries it
   * removes, not a walk over the tens of thousands the window holds at thousands of MESSAGEs a second.
   */
  private void purge(long now) {
    long last = lastPurge.get();
    if (now - last >= 1000 && lastPurge.compareAndSet(last, now)) {
      for (Remembered oldest = order.peek(); oldest != null && now - oldest.answer().atMillis() > WINDOW_MILLIS;
          oldest = order.peek()) {
        order.poll();
        answers.remove(oldest.key(), oldest.answer());
      }
    }
  }
}
