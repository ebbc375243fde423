package io.switchboard.im;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilder;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * One Instant Message Disposition Notification (RFC 5438 §7, {@code message/imdn+xml}): which message
 * (the {@code imdn.Message-ID} of the original's CPIM envelope), what became of it, when. Pure: bytes
 * in, record out, and back; plus the CPIM envelope headers of §6 that ask for notifications.
 *
 * <pre>
 * &lt;imdn xmlns="urn:ietf:params:xml:ns:imdn"&gt;
 *   &lt;message-id&gt;34jk324j&lt;/message-id&gt;
 *   &lt;datetime&gt;2008-04-04T12:16:49-05:00&lt;/datetime&gt;
 *   &lt;delivery-notification&gt;&lt;status&gt;&lt;delivered/&gt;&lt;/status&gt;&lt;/delivery-notification&gt;
 * &lt;/imdn&gt;
 * </pre>
 *
 * @param status the element inside {@code <status>}: delivered, failed, forbidden, error (delivery);
 *     displayed (display); processed, stored (processing)
 */
public record Imdn(String messageId, String dateTime, Kind kind, String status) {

  public static final String CONTENT_TYPE = "message/imdn+xml";
  public static final String NAMESPACE = "urn:ietf:params:xml:ns:imdn";
  /** The CPIM header namespace of §6 (declared as {@code NS: imdn <urn:ietf:params:imdn>}). */
  public static final String CPIM_NAMESPACE = "urn:ietf:params:imdn";

  /** The three notifications of §7.2.1, by their XML element. */
  public enum Kind {
    DELIVERY("delivery-notification"), DISPLAY("display-notification"), PROCESSING("processing-notification");

    final String element;

    Kind(String element) {
      this.element = element;
    }
  }

  /** What the sender asked for in {@code imdn.Disposition-Notification} (§6.2). */
  public enum Request {
    POSITIVE_DELIVERY, NEGATIVE_DELIVERY, DISPLAY, PROCESSING;

    static Request of(String token) {
      return switch (token.trim().toLowerCase(Locale.ROOT)) {
        case "positive-delivery" -> POSITIVE_DELIVERY;
        case "negative-delivery" -> NEGATIVE_DELIVERY;
        case "display" -> DISPLAY;
        case "processing" -> PROCESSING;
        default -> null;
      };
    }
  }

  /** The envelope of a CPIM message as far as IMDN needs it: its id and what it asks for. */
  public record Envelope(String messageId, Set<Request> requested) {
    public boolean asks(Request r) {
      return messageId != null && requested.contains(r);
    }
  }

  /** @throws IllegalArgumentException when the bytes are not an IMDN document */
  public static Imdn parse(byte[] xml) {
    org.w3c.dom.Document doc;
    try {
      DocumentBuilder b = io.switchboard.core.text.Xml.untrustedParser();
      doc = b.parse(new ByteArrayInputStream(xml));
    } catch (Exception e) {
      throw new IllegalArgumentException("not XML: " + e.getMessage());
    }
    Element root = doc.getDocumentElement();
    if (!"imdn".equals(root.getLocalName()) || !NAMESPACE.equals(root.getNamespaceURI())) {
      throw new IllegalArgumentException("not an imdn document in " + NAMESPACE);
    }
    String id = text(root, "message-id");
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("no message-id");
    }
    for (Kind kind : Kind.values()) {
      Element notification = child(root, kind.element);
      if (notification != null) {
        Element status = child(notification, "status");
        Element value = status == null ? null : firstElement(status);
        if (value == null) {
          throw new IllegalArgumentException(kind.element + " without a status");
        }
        return new Imdn(id.trim(), trimmed(text(root, "datetime")), kind, value.getLocalName());
      }
    }
    throw new IllegalArgumentException("no delivery, display or processing notification");
  }

  /** The document, as §7 shows it. */
  public byte[] render(String recipientUri) {
    String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
        + "<imdn xmlns=\"" + NAMESPACE + "\">\r\n"
        + "  <message-id>" + escape(messageId) + "</message-id>\r\n"
        + "  <datetime>" + escape(dateTime) + "</datetime>\r\n"
        + (recipientUri == null ? "" : "  <recipient-uri>" + escape(recipientUri) + "</recipient-uri>\r\n")
        + "  <" + kind.element + "><status><" + status + "/></status></" + kind.element + ">\r\n"
        + "</imdn>\r\n";
    return xml.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The notification in a CPIM envelope of its own (§5.1: an IMDN is itself a message with an
   * {@code imdn.Message-ID}, and asks for no notification).
   */
  public byte[] toCpim(String from, String to, String ownMessageId, String recipientUri) {
    String head = "From: " + from + "\r\nTo: " + to + "\r\nNS: imdn <" + CPIM_NAMESPACE + ">\r\n"
        + "imdn.Message-ID: " + ownMessageId + "\r\nDateTime: " + dateTime + "\r\n\r\n"
        + "Content-Type: " + CONTENT_TYPE + "\r\nContent-Disposition: notification\r\n\r\n";
    byte[] h = head.getBytes(StandardCharsets.UTF_8);
    byte[] body = render(recipientUri);
    byte[] out = Arrays.copyOf(h, h.length + body.length);
    System.arraycopy(body, 0, out, h.length, body.length);
    return out;
  }

  /**
   * The IMDN headers of a CPIM message's envelope. The namespace prefix is the one its {@code NS}
   * header declares for {@value #CPIM_NAMESPACE}; without one, {@code imdn} (what clients use).
   */
  public static Envelope envelope(Cpim cpim) {
    String prefix = "imdn";
    String ns = cpim.headers().get("ns");
    if (ns != null && ns.contains("<" + CPIM_NAMESPACE + ">")) {
      String declared = ns.substring(0, ns.indexOf('<')).trim();
      if (!declared.isEmpty()) {
        prefix = declared.toLowerCase(Locale.ROOT);
      }
    }
    String id = cpim.headers().get(prefix + ".message-id");
    String asked = cpim.headers().get(prefix + ".disposition-notification");
    Set<Request> requested = asked == null ? Set.of() : Arrays.stream(asked.split(","))
        .map(Request::of).filter(java.util.Objects::nonNull).collect(Collectors.toCollection(LinkedHashSet::new));
    return new Envelope(id == null || id.isBlank() ? null : id.trim(), requested);
  }

  /** The envelope of a stored message: empty for text/plain and for CPIM that is not (or no longer) parsable. */
  public static Envelope envelope(StoredMessage m) {
    if (!m.isCpim()) {
      return new Envelope(null, Set.of());
    }
    try {
      return envelope(Cpim.parse(m.body()));
    } catch (IllegalArgumentException e) {
      return new Envelope(null, Set.of());
    }
  }

  private static Element child(Element parent, String localName) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && localName.equals(e.getLocalName()) && NAMESPACE.equals(e.getNamespaceURI())) {
        return e;
      }
    }
    return null;
  }

  private static Element firstElement(Element parent) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e) {
        return e;
      }
    }
    return null;
  }

  private static String text(Element parent, String localName) {
    Element e = child(parent, localName);
    return e == null ? null : e.getTextContent();
  }

  private static String trimmed(String s) {
    return s == null ? null : s.trim();
  }

  private static String escape(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
