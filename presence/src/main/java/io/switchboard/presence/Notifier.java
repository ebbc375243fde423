package io.switchboard.presence;

import io.switchboard.core.metrics.Metrics;
import io.switchboard.core.sip.SipEdge;
import io.vertx.core.Future;
import java.text.ParseException;
import java.time.Instant;
import java.util.List;
import javax.sip.InvalidArgumentException;
import javax.sip.address.Address;
import javax.sip.header.EventHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.SubscriptionStateHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/** Builds and sends the NOTIFY of a subscription (RFC 6665 §4.2.2) of any of our event packages. */
final class Notifier {

  private final SipEdge edge;
  private final Metrics metrics;

  Notifier(SipEdge edge, Metrics metrics) {
    this.edge = edge;
    this.metrics = metrics;
  }

  /**
   * @param body the document to send (of the subscription's package), or null for none (pending)
   * @param terminatedReason null for an active or pending subscription, else why it ends
   * @return the watcher's final status code; fails when it did not answer
   */
  Future<Integer> send(Subscription sub, byte[] body, String terminatedReason, Instant now) {
    try {
      Request notify = build(sub, body, terminatedReason, now);
      metrics.notifySent();
      return edge.send(notify).map(Response::getStatusCode);
    } catch (ParseException | InvalidArgumentException | javax.sip.SipException e) {
      return Future.failedFuture(e);
    }
  }

  private Request build(Subscription sub, byte[] body, String reason, Instant now)
      throws ParseException, InvalidArgumentException, javax.sip.SipException {
    var f = edge.factories();
    Address fromAddress = f.addresses().createAddress(sub.presentityUri);
    FromHeader from = f.headers().createFromHeader(fromAddress, sub.localTag);
    ToHeader to = f.headers().createToHeader(f.addresses().createAddress(sub.watcherUri), sub.remoteTag);
    Request request = f.messages().createRequest(f.addresses().createURI(sub.contact), Request.NOTIFY,
        f.headers().createCallIdHeader(sub.callId), f.headers().createCSeqHeader(++sub.cseq, Request.NOTIFY), from, to,
        List.of(edge.newVia(sub.transport)), f.headers().createMaxForwardsHeader(70));
    for (String route : sub.routeSet) {
      request.addHeader(f.headers().createRouteHeader(f.addresses().createAddress(route)));
    }
    if (sub.routeSet.isEmpty()) {
      edge.routeToDevice(request, sub.source, sub.transport);
    }
    request.addHeader(edge.contact(sub.transport));
    EventHeader event = f.headers().createEventHeader(sub.pkg.eventName);
    if (sub.eventId != null) {
      event.setEventId(sub.eventId);
    }
    request.addHeader(event);
    SubscriptionStateHeader state;
    if (reason != null) {
      state = f.headers().createSubscriptionStateHeader(SubscriptionStateHeader.TERMINATED);
      state.setReasonCode(reason);
    } else {
      state = f.headers().createSubscriptionStateHeader(
          sub.state == Subscription.State.PENDING ? SubscriptionStateHeader.PENDING : SubscriptionStateHeader.ACTIVE);
      state.setExpires((int) Math.max(0, sub.expiresAt.getEpochSecond() - now.getEpochSecond()));
    }
    request.addHeader(state);
    if (body != null) {
      request.setContent(body, f.headers().createContentTypeHeader(sub.pkg.type, sub.pkg.subType));
    }
    return request;
  }
}
