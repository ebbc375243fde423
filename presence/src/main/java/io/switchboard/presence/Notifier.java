package io.switchboard.presence;

import io.switchboard.core.metrics.Metrics;
import io.switchboard.core.sip.SipEdge;
import io.switchboard.core.sip.SipTags;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.text.ParseException;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import javax.sip.InvalidArgumentException;
import javax.sip.address.Address;
import javax.sip.header.CSeqHeader;
import javax.sip.header.EventHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.SubscriptionStateHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * Builds and sends the NOTIFY of a subscription (RFC 6665 §4.2.2) of any of our event packages.
 *
 * <p>What a NOTIFY says (its CSeq, subscription state, body) is decided on the SIP context, which
 * keeps the subscriptions. Over UDP to an address (phones, the hot path) the NOTIFY is the dialog's
 * bytes ({@link NotifyBytes}, encoded once from its template) with CSeq, branch, state and body
 * filled in, sent right there through our own client transaction ({@link SipEdge#sendDatagram}),
 * whose answer is matched by branch before JAIN-SIP parses it and comes straight back to this
 * context: no message object, no hop. Otherwise (TCP, TLS, a host name) a JAIN-SIP request is
 * cloned from the template and sent from one of the other SIP contexts, always the same one for a
 * subscription, so that its NOTIFYs leave in the order they were decided; its answer comes back on
 * the SIP context. Each subscription's dialog headers (Request-URI, From, To, Call-ID, route,
 * Contact, Event) are parsed once, into that template.
 */
final class Notifier {

  private final SipEdge edge;
  private final Metrics metrics;
  /** The SIP contexts, the home context first; empty before the edge is deployed. */
  private final Supplier<List<Context>> contexts;

  Notifier(SipEdge edge, Metrics metrics) {
    this(edge, metrics, edge::contexts);
  }

  Notifier(SipEdge edge, Metrics metrics, Supplier<List<Context>> contexts) {
    this.edge = edge;
    this.metrics = metrics;
    this.contexts = contexts;
  }

  /**
   * Call on the SIP context.
   *
   * @param body the document to send (of the subscription's package), or null for none (pending)
   * @param terminatedReason null for an active or pending subscription, else why it ends
   * @return the watcher's final status code, on the calling context; fails when it did not answer
   */
  Future<Integer> send(Subscription sub, byte[] body, String terminatedReason, Instant now) {
    What what = new What(++sub.cseq, terminatedReason != null ? SubscriptionStateHeader.TERMINATED
        : sub.state == Subscription.State.PENDING ? SubscriptionStateHeader.PENDING : SubscriptionStateHeader.ACTIVE,
        terminatedReason, (int) Math.max(0, sub.expiresAt.getEpochSecond() - now.getEpochSecond()), body);
    metrics.notifySent();
    Context home = Vertx.currentContext();
    NotifyBytes bytes;
    try {
      bytes = bytes(sub);
    } catch (ParseException | InvalidArgumentException | javax.sip.SipException e) {
      return Future.failedFuture(e);
    }
    if (bytes != null) {
      // Cheap enough to send right here: no hop to a sender context and back, and the answer comes
      // straight to this context from the receiving thread.
      String branch = SipTags.newBranch();
      return edge.sendDatagram(bytes.render(branch, what.cseq(), what.state(), what.reason(), what.expires(),
          what.body()), branch, Request.NOTIFY, bytes.to());
    }
    Context sender = senderOf(sub, home);
    if (sender == home || home == null) {
      return sendNow(sub, what);
    }
    Promise<Integer> answered = Promise.promise();
    sender.runOnContext(v -> sendNow(sub, what).onComplete(r -> home.runOnContext(x -> {
      if (r.succeeded()) {
        answered.complete(r.result());
      } else {
        answered.fail(r.cause());
      }
    })));
    return answered.future();
  }

  /** The context that sends this subscription's NOTIFYs. */
  private Context senderOf(Subscription sub, Context home) {
    List<Context> all = contexts.get();
    return all.size() < 2 ? home : all.get(senderIndex(sub.key(), all.size()));
  }

  /**
   * Which of {@code count} SIP contexts (0 the home one) sends a dialog's NOTIFYs: always the same
   * for a dialog, and, when there are others, never the home context, which decides them.
   */
  static int senderIndex(String dialogKey, int count) {
    return count < 2 ? 0 : 1 + Math.floorMod(dialogKey.hashCode(), count - 1);
  }

  /** What one NOTIFY says, decided on the SIP context. */
  private record What(long cseq, String state, String reason, int expires, byte[] body) {
  }

  /** A JAIN-SIP request cloned from the dialog's template, through a client transaction (TCP, TLS, a name to resolve). */
  private Future<Integer> sendNow(Subscription sub, What what) {
    try {
      return edge.send(build(sub, what)).map(Response::getStatusCode);
    } catch (ParseException | InvalidArgumentException | javax.sip.SipException e) {
      return Future.failedFuture(e);
    }
  }

  /** The dialog's NOTIFY as bytes, made once on the SIP context; null when it must take the stack's path. */
  private NotifyBytes bytes(Subscription sub) throws ParseException, InvalidArgumentException, javax.sip.SipException {
    java.util.Optional<NotifyBytes> made = sub.notifyBytes;
    if (made == null) {
      made = java.util.Optional.ofNullable(!"udp".equalsIgnoreCase(sub.transport) ? null
          : NotifyBytes.of(template(sub), edge.advertisedHost() + ":" + edge.port(), sub.bodyType(), sub.bodySubType()));
      sub.notifyBytes = made;
    }
    return made.orElse(null);
  }

  private Request build(Subscription sub, What what)
      throws ParseException, InvalidArgumentException, javax.sip.SipException {
    var f = edge.factories();
    Request request = (Request) template(sub).clone();
    ((CSeqHeader) request.getHeader(CSeqHeader.NAME)).setSeqNumber(what.cseq());
    request.setHeader(edge.newVia(sub.transport));
    SubscriptionStateHeader state = f.headers().createSubscriptionStateHeader(what.state());
    if (what.reason() != null) {
      state.setReasonCode(what.reason());
    } else {
      state.setExpires(what.expires());
    }
    request.addHeader(state);
    if (what.body() != null) {
      request.setContent(what.body(), sub.listBoundary != null
          ? (javax.sip.header.ContentTypeHeader) f.headers().createHeader("Content-Type", Rlmi.contentType(sub.listBoundary))
          : f.headers().createContentTypeHeader(sub.bodyType(), sub.bodySubType()));
    }
    return request;
  }

  /** The subscription's dialog as a NOTIFY without CSeq number, Via, state or body; made once, on its sending context. */
  private Request template(Subscription sub) throws ParseException, InvalidArgumentException, javax.sip.SipException {
    if (sub.notifyTemplate != null) {
      return sub.notifyTemplate;
    }
    var f = edge.factories();
    Address fromAddress = f.addresses().createAddress(sub.presentityUri);
    FromHeader from = f.headers().createFromHeader(fromAddress, sub.localTag);
    ToHeader to = f.headers().createToHeader(f.addresses().createAddress(sub.watcherUri), sub.remoteTag);
    Request request = f.messages().createRequest(f.addresses().createURI(sub.contact), Request.NOTIFY,
        f.headers().createCallIdHeader(sub.callId), f.headers().createCSeqHeader(1L, Request.NOTIFY), from, to,
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
    if (sub.listBoundary != null) {
      request.addHeader(f.headers().createRequireHeader("eventlist")); // RFC 4662 §5: a list's NOTIFYs
    }
    sub.notifyTemplate = request;
    return request;
  }
}
