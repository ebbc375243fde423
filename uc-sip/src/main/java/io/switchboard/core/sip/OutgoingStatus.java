package io.switchboard.core.sip;

import io.vertx.core.Future;

/**
 * A request we sent whose sender needs only the final status code: see {@link SipEdge#startForStatus}.
 *
 * @param status the final status code, on the context that sent the request; fails with a
 *     {@link SipSendException} on timeout, a transport error, or once stopped before it came
 * @param stop ends the client transaction: no more retransmissions, a later answer ignored.
 *     Idempotent, any thread
 */
public record OutgoingStatus(Future<Integer> status, Runnable stop) {
}
