package io.switchboard.core.sip;

import io.switchboard.api.EventAddresses;
import io.switchboard.api.cluster.SipSend;
import io.switchboard.api.cluster.SipSendResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.text.ParseException;
import java.util.Base64;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests to a device leave from the cluster node that holds its flow (the node that received its
 * REGISTER, {@link Binding#node()}), so that its TCP or TLS connection and its NAT binding are the way
 * in, as RFC 5626's flow tokens intend. A request for a device held elsewhere goes over the event bus
 * to that node's {@link EventAddresses#sipSend} address; the node sends it with its own Via and
 * replies with the device's final status.
 */
final class NodeSend {

  private static final Logger LOG = LoggerFactory.getLogger(NodeSend.class);
  /** Beyond a UDP transaction's 64 x T1 (32 s with the RFC's T1): the node answers before this. */
  private static final long BUS_TIMEOUT_MILLIS = 40_000;
  /**
   * How long after it was sent the other node may still start a request (its {@link SipSend#notAfter}): below
   * the 5 s after which a silent node is removed, counted from its last heartbeat up to 1 s before the send,
   * since from then on this node may fail the request and store the message. A node that was paused or cut
   * off, and reads the request from its socket when it resumes, must not deliver it a second time.
   */
  static final long FRESH_MILLIS = 3_000;

  private final Vertx vertx;
  private final SipEdge edge;
  private final LocationService location;
  private final String node;
  private MessageConsumer<JsonObject> consumer;
  /** Requests awaiting another node's answer, by that node: failed at once when it leaves the cluster. */
  private final java.util.Map<String, java.util.Set<OutgoingRequest>> awaiting = new java.util.concurrent.ConcurrentHashMap<>();

  NodeSend(Vertx vertx, SipEdge edge, LocationService location, String node) {
    this.vertx = vertx;
    this.edge = edge;
    this.location = location;
    this.node = node;
  }

  /** Takes requests for this node's devices, on the SIP home context (where UDP sends run). */
  Future<Void> start() {
    return Future.future(p -> edge.sipContext().runOnContext(v -> {
      consumer = vertx.eventBus().consumer(EventAddresses.sipSend(node), this::sendHere);
      consumer.completion().onComplete(p);
    }));
  }

  Future<Void> stop() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  /** True when {@code device}'s flow is on another node. */
  boolean elsewhere(Binding device) {
    return location.heldElsewhere(device);
  }

  /**
   * Sends {@code request} (built by {@link SipEdge#requestToDevice} for {@code device}) through the
   * device's node. {@link OutgoingRequest#terminate()} stops waiting here; the node's transaction runs
   * on to its end.
   */
  OutgoingRequest start(Request request, Binding device) {
    Context caller = Vertx.currentContext();
    Context origin = caller != null ? caller : edge.sipContext();
    OutgoingRequest out = new OutgoingRequest(Promise.promise(), origin, (o, stop) -> origin.runOnContext(
        v -> o.promise().tryFail(new SipSendException("terminated before an answer"))));
    if (location.onGoneNode(device)) {
      // Its node left the cluster: nothing reaches the device through it until the phone registers again.
      origin.runOnContext(v -> out.promise().tryFail(new SipSendException("node " + device.node() + " left the cluster")));
      return out;
    }
    ViaHeader via = (ViaHeader) request.getHeader(ViaHeader.NAME);
    byte[] content = request.getRawContent();
    Request headers = (Request) request.clone();
    headers.removeContent();
    SipSend send = new SipSend(headers.toString(), content == null ? null : Base64.getEncoder().encodeToString(content),
        via == null ? "udp" : via.getTransport(), System.currentTimeMillis() + FRESH_MILLIS);
    java.util.Set<OutgoingRequest> onNode = awaiting.computeIfAbsent(device.node(),
        n -> java.util.concurrent.ConcurrentHashMap.newKeySet());
    onNode.add(out);
    out.answer().onComplete(done -> onNode.remove(out));
    vertx.eventBus().<JsonObject>request(EventAddresses.sipSend(device.node()), send.toJson(),
        new DeliveryOptions().setSendTimeout(BUS_TIMEOUT_MILLIS)).onComplete(r -> {
          if (r.failed()) {
            out.promise().tryFail(new SipSendException("through node " + device.node() + ": " + r.cause().getMessage()));
            return;
          }
          try {
            SipSendResult result = SipSendResult.fromJson(r.result().body());
            Response response = edge.factories().messages().createResponse(result.status(), request);
            if (result.reason() != null) {
              response.setReasonPhrase(result.reason());
            }
            out.promise().tryComplete(response);
          } catch (ParseException e) {
            out.promise().tryFail(new SipSendException("through node " + device.node() + ": " + e.getMessage()));
          }
        });
    return out;
  }

  /**
   * Node {@code left} has gone: what was sent through it will not be answered, so it fails now (the
   * sender's fork stores the message) instead of after the bus timeout.
   */
  void nodeLeft(String left) {
    java.util.Set<OutgoingRequest> onNode = awaiting.remove(left);
    if (onNode != null && !onNode.isEmpty()) {
      LOG.info("Requests through a node that left failed [node: {}, requests: {}]", left, onNode.size());
      for (OutgoingRequest out : onNode) {
        out.origin().runOnContext(v -> out.promise().tryFail(new SipSendException("node " + left + " left the cluster")));
      }
    }
  }

  /** Another node's request to one of our devices: our Via (the answer comes back here), then as any other. */
  private void sendHere(Message<JsonObject> msg) {
    Request request;
    try {
      SipSend send = SipSend.fromJson(msg.body());
      long late = send.notAfter() == 0 ? 0 : System.currentTimeMillis() - send.notAfter();
      if (late > 0) {
        // The sender may have failed it already and stored the message: sending it now could deliver it twice.
        LOG.warn("Request from another node arrived too late, not sent [late: {} ms, request: {}]", late,
            send.request().lines().findFirst().orElse(""));
        msg.fail(408, "arrived " + late + " ms too late");
        return;
      }
      request = edge.factories().messages().createRequest(send.request());
      if (send.body() != null) {
        request.setContent(Base64.getDecoder().decode(send.body()), (ContentTypeHeader) request.getHeader(ContentTypeHeader.NAME));
      }
      request.removeHeader(ViaHeader.NAME);
      request.addHeader(edge.newVia(send.transport()));
    } catch (ParseException | RuntimeException e) {
      LOG.warn("Request from another node not parsed [reason: {}]", e.getMessage());
      msg.fail(400, "request not parsed: " + e.getMessage());
      return;
    }
    edge.start(request).answer().onComplete(r -> {
      if (r.succeeded()) {
        msg.reply(new SipSendResult(r.result().getStatusCode(), r.result().getReasonPhrase()).toJson());
      } else {
        LOG.debug("Request for another node not answered [method: {}, to: {}]: {}", request.getMethod(),
            request.getRequestURI(), r.cause().getMessage());
        msg.fail(r.cause() instanceof SipSendException ? 408 : 503, r.cause().getMessage());
      }
    });
  }
}
