package io.switchboard.im;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

/** The IMDN codec, the CPIM envelope's IMDN headers and Content-Encoding, without sockets. */
class ImdnTest {

  /** As Linphone 5 sends it (its own namespace for the reason element included). */
  static final String LINPHONE_DELIVERED = """
      <?xml version="1.0" encoding="UTF-8"?>
      <imdn xmlns="urn:ietf:params:xml:ns:imdn" xmlns:linphoneimdn="http://www.linphone.org/xsds/imdn.xsd">
        <message-id>Wy2bnsdZa</message-id>
        <datetime>2026-11-30T10:00:05Z</datetime>
        <delivery-notification><status><delivered/></status></delivery-notification>
      </imdn>
      """;

  @Test
  void readsDeliveryAndDisplayNotifications() {
    Imdn delivered = Imdn.parse(LINPHONE_DELIVERED.getBytes(StandardCharsets.UTF_8));
    assertEquals(new Imdn("Wy2bnsdZa", "2026-11-30T10:00:05Z", Imdn.Kind.DELIVERY, "delivered"), delivered);

    String displayed = "<imdn xmlns='urn:ietf:params:xml:ns:imdn'><message-id> x1 </message-id>"
        + "<display-notification><status><displayed/></status></display-notification></imdn>";
    Imdn d = Imdn.parse(displayed.getBytes(StandardCharsets.UTF_8));
    assertEquals("x1", d.messageId());
    assertEquals(Imdn.Kind.DISPLAY, d.kind());
    assertEquals("displayed", d.status());
    assertNull(d.dateTime());
  }

  @Test
  void rendersWhatItReads() {
    Imdn failed = new Imdn("m&1", "2026-11-30T10:00:00Z", Imdn.Kind.DELIVERY, "failed");
    assertEquals(failed, Imdn.parse(failed.render("sip:bob@example.com")));

    byte[] cpim = failed.toCpim("<sip:bob@example.com>", "<sip:alice@example.com>", "n-1", null);
    Cpim envelope = Cpim.parse(cpim);
    assertEquals(Imdn.CONTENT_TYPE, envelope.contentType());
    assertEquals("n-1", Imdn.envelope(envelope).messageId());
    assertTrue(Imdn.envelope(envelope).requested().isEmpty(), "a notification asks for none itself");
    assertEquals(failed, Imdn.parse(envelope.body()));
  }

  @Test
  void refusesWhatIsNotAnImdn() {
    assertThrows(IllegalArgumentException.class, () -> Imdn.parse("hello".getBytes(StandardCharsets.UTF_8)));
    assertThrows(IllegalArgumentException.class, () -> Imdn.parse(
        "<imdn xmlns='urn:other'><message-id>1</message-id></imdn>".getBytes(StandardCharsets.UTF_8)));
    assertThrows(IllegalArgumentException.class, () -> Imdn.parse(
        "<imdn xmlns='urn:ietf:params:xml:ns:imdn'><message-id>1</message-id></imdn>".getBytes(StandardCharsets.UTF_8)));
    // no entities from a DTD (an XXE or a billion laughs)
    String dtd = "<?xml version='1.0'?><!DOCTYPE imdn [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
        + "<imdn xmlns='urn:ietf:params:xml:ns:imdn'><message-id>&x;</message-id>"
        + "<delivery-notification><status><delivered/></status></delivery-notification></imdn>";
    assertThrows(IllegalArgumentException.class, () -> Imdn.parse(dtd.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void readsTheRequestFromTheCpimEnvelope() {
    String cpim = "From: <sip:alice@example.com>\r\nTo: <sip:bob@example.com>\r\nNS: imdn <urn:ietf:params:imdn>\r\n"
        + "imdn.Message-ID: 34jk324j\r\nDateTime: 2026-11-30T10:00:00Z\r\n"
        + "imdn.Disposition-Notification: positive-delivery, negative-delivery, display\r\n\r\n"
        + "Content-Type: text/plain\r\n\r\nhi";
    Imdn.Envelope e = Imdn.envelope(Cpim.parse(cpim.getBytes(StandardCharsets.UTF_8)));
    assertEquals("34jk324j", e.messageId());
    assertEquals(Set.of(Imdn.Request.POSITIVE_DELIVERY, Imdn.Request.NEGATIVE_DELIVERY, Imdn.Request.DISPLAY),
        e.requested());

    // another prefix for the same namespace (RFC 3862 §3.4)
    String other = "From: <sip:a@x>\r\nNS: MyFeatures <urn:ietf:params:imdn>\r\nMyFeatures.Message-ID: q9\r\n"
        + "MyFeatures.Disposition-Notification: display\r\n\r\nContent-Type: text/plain\r\n\r\nhi";
    Imdn.Envelope o = Imdn.envelope(Cpim.parse(other.getBytes(StandardCharsets.UTF_8)));
    assertTrue(o.asks(Imdn.Request.DISPLAY));
    assertEquals("q9", o.messageId());

    String none = "From: <sip:a@x>\r\n\r\nContent-Type: text/plain\r\n\r\nhi";
    assertTrue(!Imdn.envelope(Cpim.parse(none.getBytes(StandardCharsets.UTF_8))).asks(Imdn.Request.DISPLAY));
  }

  @Test
  void inflatesZlibAndRawDeflateWithinTheLimit() throws Exception {
    byte[] plain = LINPHONE_DELIVERED.getBytes(StandardCharsets.UTF_8);
    assertEquals(LINPHONE_DELIVERED, new String(ContentEncoding.decode("deflate", deflate(plain, false), 8192),
        StandardCharsets.UTF_8));
    assertEquals(LINPHONE_DELIVERED, new String(ContentEncoding.decode("Deflate", deflate(plain, true), 8192),
        StandardCharsets.UTF_8));
    assertEquals(plain, ContentEncoding.decode(null, plain, 10));

    ContentEncoding.Failure big = assertThrows(ContentEncoding.Failure.class,
        () -> ContentEncoding.decode("deflate", deflate(new byte[1_000_000], false), 8192));
    assertTrue(big.tooLarge);
    ContentEncoding.Failure corrupt = assertThrows(ContentEncoding.Failure.class,
        () -> ContentEncoding.decode("deflate", "not deflate at all".getBytes(StandardCharsets.UTF_8), 8192));
    assertTrue(!corrupt.tooLarge && !corrupt.unsupported);
    assertTrue(assertThrows(ContentEncoding.Failure.class, () -> ContentEncoding.decode("br", plain, 8192)).unsupported);
  }

  static byte[] deflate(byte[] data, boolean raw) {
    Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, raw);
    d.setInput(data);
    d.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    while (!d.finished()) {
      out.write(buf, 0, d.deflate(buf));
    }
    d.end();
    return out.toByteArray();
  }
}
