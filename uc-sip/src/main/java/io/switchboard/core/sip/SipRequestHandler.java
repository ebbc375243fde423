package io.switchboard.core.sip;

import io.vertx.core.Future;

/** Handles one SIP method. Runs on the SIP context its {@link SipAffinity} picks; must not block. */
@FunctionalInterface
public interface SipRequestHandler {

  Future<SipOutcome> handle(SipRequest request);
}
