package io.switchboard.im;

import io.switchboard.core.sip.Binding;
import io.switchboard.core.sip.OutgoingStatus;
import io.switchboard.core.sip.SipEdge;
import io.switchboard.core.sip.SipTags;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.sip.InvalidArgumentException;
import javax.sip.address.Address;
import javax.sip.header.ContentTypeHeader;
import javax.sip.message.Request;

/**
 * Sends one message to one device (binding) as a SIP MESSAGE, in a form the device can show. The
 * From is the sender's address-of-record with display name, never a device contact, so that a
 * reply reaches all of the sender's devices.
 */
final class DeviceDelivery {

  /** Bindings whose MESSAGE bytes are kept; past it all are dropped (a refreshed binding is a new one). */
  private static final int PREPARED_MAX = 16_384;

  private final SipEdge edge;
  private final String domain;
  private final DeviceProfiles profiles;
  /** Per binding, its MESSAGE's fixed part, made once; empty when its MESSAGEs take the stack's path. */
  private final Map<Binding, Optional<MessageBytes>> prepared = new ConcurrentHashMap<>();

  DeviceDelivery(SipEdge edge, String domain, DeviceProfiles profiles) {
    this.edge = edge;
    this.domain = domain;
    this.profiles = profiles;
  }

  /** What each of these registered devices shows, in order. */
  Future<List<DeviceView>> views(List<Binding> bindings) {
    return profiles.views(bindings);
  }

  /**
   * Whether a device can show text messages: it either said nothing (text/plain is assumed) or it
   * accepts a text or CPIM type (its profile's, for a provisioned device; else its REGISTER's Accept).
   * A device that accepts only other types would take a MESSAGE and show nothing, so it is not sent any.
   */
  static boolean canShowMessages(DeviceView d) {
    return d.accept().isEmpty() || d.accept().stream().anyMatch(t -> t.equals("text/plain") || t.equals("text/*")
        || t.equals("*/*") || t.equals(Cpim.CONTENT_TYPE));
  }

  /**
   * CPIM only to devices that accept it; everyone else gets the inner text/plain, with the speaker's
   * name in front for room messages (the From names the room). Text longer than the device shows
   * ({@link DeviceView#maxMessageLength}, in characters) is cut to that length, ending in "…"; for a
   * CPIM device the CPIM is rebuilt around the shortened text.
   */
  static Content contentFor(StoredMessage m, DeviceView d) {
    if (m.isCpim() && d.accept().contains(Cpim.CONTENT_TYPE)) {
      String shown = fit(m, m.text(), d.maxMessageLength());
      if (shown.equals(m.text())) {
        return new Content("message", "cpim", m.body());
      }
      try {
        Map<String, String> h = Cpim.parse(m.body()).headers();
        return new Content("message", "cpim", Cpim.render(h.getOrDefault("from", "<sip:" + m.from() + ">"),
            h.getOrDefault("to", "<sip:" + m.to() + ">"), h.getOrDefault("datetime", m.createdAt().toString()), shown));
      } catch (IllegalArgumentException e) {
        // stored as CPIM, so it parsed once; should it not now, plain text still shows
      }
    }
    String text = m.room() == null || m.file() != null ? m.text() : m.fromDisplayName() + ": " + m.text();
    return new Content("text", "plain", fit(m, text, d.maxMessageLength()).getBytes(StandardCharsets.UTF_8));
  }

  /** A file's link must stay whole: when its text is too long for the device, the link alone. */
  private static String fit(StoredMessage m, String text, int max) {
    return m.file() != null && text.codePointCount(0, text.length()) > max ? m.file().url() : shorten(text, max);
  }

  /** {@code text} when at most {@code max} characters (code points), else its first max - 1 and "…". */
  static String shorten(String text, int max) {
    if (text.codePointCount(0, text.length()) <= max) {
      return text;
    }
    return text.substring(0, text.offsetByCodePoints(0, Math.max(0, max - 1))) + "…";
  }

  record Content(String type, String subType, byte[] body) {

    /** As the Content-Type header says it. */
    String header() {
      return type + "/" + subType + (type.equals("text") ? ";charset=UTF-8" : "");
    }
  }

  /** @return the device's final status code; fails when it did not answer at all */
  Future<Integer> send(StoredMessage m, DeviceView d) {
    return start(m, d).status();
  }

  /**
   * One MESSAGE on its way to a device.
   *
   * @param status the device's final status code; fails when it did not answer (or was stopped)
   * @param stop ends the MESSAGE's client transaction: no more retransmissions, a late answer ignored
   */
  record Sending(Future<Integer> status, Runnable stop) {
  }

  /** Sends as {@link #send} does, with a way to stop it (a fork that timed out and stored the message). */
  Sending start(StoredMessage m, DeviceView d) {
    Sending asBytes = startAsBytes(m, d);
    if (asBytes != null) {
      return asBytes;
    }
    Request request;
    try {
      request = build(m, d);
    } catch (ParseException | InvalidArgumentException e) {
      return new Sending(Future.failedFuture(e), () -> { });
    }
    // Only the status matters here: over UDP it goes out as bytes, its answer read unparsed.
    // In a cluster, from the node holding its flow.
    OutgoingStatus out = edge.startForStatus(request, d.binding());
    return new Sending(out.status(), out.stop());
  }

  /**
   * Over UDP to a device at an IP literal held by this node: the MESSAGE written as bytes from its
   * binding's prepared part ({@link MessageBytes}), the same request {@link #build} makes, without a message
   * object or a parse of the Contact per message. Null when it must take the stack's path.
   */
  private Sending startAsBytes(StoredMessage m, DeviceView d) {
    Binding binding = d.binding();
    MessageBytes bytes = binding.username().equals(m.to()) ? prepared(binding) : null;
    if (bytes == null) {
      return null;
    }
    Content content = contentFor(m, d);
    String branch = SipTags.newBranch();
    byte[] datagram = bytes.render(branch, SipTags.newCallId(), m.room() != null ? "room-" + m.room() : m.from(),
        m.room() != null ? m.room() : m.fromDisplayName(), SipTags.newTag(), content.header(), content.body());
    OutgoingStatus out = datagram == null ? null
        : edge.startPreparedForStatus(datagram, branch, Request.MESSAGE, bytes.to(), binding);
    return out == null ? null : new Sending(out.status(), out.stop());
  }

  private MessageBytes prepared(Binding binding) {
    Optional<MessageBytes> made = prepared.get(binding);
    if (made == null) {
      made = Optional.ofNullable(prepare(binding));
      if (prepared.size() >= PREPARED_MAX) {
        prepared.clear();
      }
      prepared.put(binding, made);
    }
    return made.orElse(null);
  }

  /** The binding's MESSAGE, as {@link #build} makes it, made once; null when it does not go out as a datagram. */
  private MessageBytes prepare(Binding binding) {
    try {
      var f = edge.factories();
      Request template = edge.requestToDevice(Request.MESSAGE, binding,
          f.addresses().createAddress(f.addresses().createSipURI("switchboard", domain)),
          f.addresses().createAddress(f.addresses().createSipURI(binding.username(), domain)));
      java.net.InetSocketAddress to = SipEdge.datagramTarget(template);
      return to == null ? null : MessageBytes.of(template, to, domain);
    } catch (ParseException | InvalidArgumentException | IllegalStateException e) {
      return null; // the stack's path builds it again and reports what is wrong
    }
  }

  private Request build(StoredMessage m, DeviceView d) throws ParseException, InvalidArgumentException {
    var f = edge.factories();
    Address from = f.addresses().createAddress(f.addresses().createSipURI(m.room() != null ? "room-" + m.room() : m.from(), domain));
    from.setDisplayName(m.room() != null ? m.room() : m.fromDisplayName());
    Request request = edge.requestToDevice(Request.MESSAGE, d.binding(), from,
        f.addresses().createAddress(f.addresses().createSipURI(m.to(), domain)));
    Content content = contentFor(m, d);
    ContentTypeHeader type = f.headers().createContentTypeHeader(content.type(), content.subType());
    if (content.type().equals("text")) {
      type.setParameter("charset", "UTF-8");
    }
    request.setContent(content.body(), type);
    return request;
  }
}
