package io.switchboard.core.sip;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import javax.sip.message.Response;

/**
 * A request we sent through a client transaction, which the sender may stop wanting: see
 * {@link SipEdge#start}. {@link #terminate()} ends the client transaction (no SIP CANCEL: MESSAGE and
 * NOTIFY have none), so its retransmissions stop and an answer arriving later is dropped. A message
 * stored after the fork timeout must not reach the device later through the original's
 * retransmissions, out of order with its stored delivery.
 */
public final class OutgoingRequest {

  /** What ends the transaction: SipEdge's, so that the transactions are touched in one place. */
  interface Ender {
    /** @param stop ends the transaction the request got (JAIN-SIP's or ours); null if none yet */
    void end(OutgoingRequest request, Runnable stop);
  }

  private final Promise<Response> answer;
  /** Where the answer is completed: the context that sent the request. */
  private final Context origin;
  private final Ender ender;
  private Runnable stop; // guarded by this
  private boolean terminated; // guarded by this

  OutgoingRequest(Promise<Response> answer, Context origin, Ender ender) {
    this.answer = answer;
    this.origin = origin;
    this.ender = ender;
  }

  /**
   * The final response, on the context that sent the request; fails with a {@link SipSendException} on timeout, a
   * transport error, or once {@link #terminate() terminated} before it came.
   */
  public Future<Response> answer() {
    return answer.future();
  }

  /** Stops the request: no more retransmissions, and any later answer is ignored. Idempotent, any thread. */
  public void terminate() {
    Runnable s;
    synchronized (this) {
      if (terminated) {
        return;
      }
      terminated = true;
      s = stop;
    }
    ender.end(this, s);
  }

  synchronized boolean terminated() {
    return terminated;
  }

  /**
   * @param stop what ends the transaction the request got
   * @return false when it was terminated before it went out: then do not send it
   */
  synchronized boolean attach(Runnable stop) {
    if (terminated) {
      return false;
    }
    this.stop = stop;
    return true;
  }

  Promise<Response> promise() {
    return answer;
  }

  Context origin() {
    return origin;
  }
}
