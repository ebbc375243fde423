package io.switchboard.presence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import gov.nist.javax.sip.parser.StringMsgParser;
import io.switchboard.core.sip.SipFactories;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.sip.address.SipURI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.EventHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.RouteHeader;
import javax.sip.header.SubscriptionStateHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import org.junit.jupiter.api.Test;

/** A dialog's NOTIFY as bytes: what JAIN-SIP's own parser reads back from them, and where they go. */
class NotifyBytesTest {

  private final SipFactories f = SipFactories.create();

  private Request template(String requestUri, String route) throws Exception {
    Request r = f.messages().createRequest(f.addresses().createURI(requestUri), Request.NOTIFY,
        f.headers().createCallIdHeader("call-1@uc.test"), f.headers().createCSeqHeader(1L, Request.NOTIFY),
        f.headers().createFromHeader(f.addresses().createAddress("\"Bob\" <sip:bob@uc.test>"), "ours"),
        f.headers().createToHeader(f.addresses().createAddress("sip:alice@uc.test"), "theirs"),
        List.of(f.headers().createViaHeader("10.0.0.9", 5060, "udp", "z9hG4bKplaceholder")),
        f.headers().createMaxForwardsHeader(70));
    if (route != null) {
      r.addHeader(f.headers().createRouteHeader(f.addresses().createAddress(route)));
    }
    r.addHeader(f.headers().createContactHeader(f.addresses().createAddress("sip:10.0.0.9:5060")));
    EventHeader event = f.headers().createEventHeader("presence");
    event.setEventId("e1");
    r.addHeader(event);
    return r;
  }

  private static Request parse(byte[] bytes) throws Exception {
    return (Request) new StringMsgParser().parseSIPMessage(bytes, true, true, null);
  }

  @Test
  void aNotifyWithABodyReadsBackAsTheTemplateWithItsOwnFields() throws Exception {
    NotifyBytes bytes = NotifyBytes.of(template("sip:alice@127.0.0.1:5088", null), "10.0.0.9:5060", "application",
        "pidf+xml");
    byte[] body = "<presence>é</presence>".getBytes(StandardCharsets.UTF_8);
    Request n = parse(bytes.render("z9hG4bKfresh", 42, "active", null, 3599, body));
    assertEquals("sip:alice@127.0.0.1:5088", n.getRequestURI().toString());
    assertEquals(new InetSocketAddress("127.0.0.1", 5088), bytes.to());
    ViaHeader via = (ViaHeader) n.getHeader(ViaHeader.NAME);
    assertEquals("z9hG4bKfresh", via.getBranch());
    assertEquals("10.0.0.9", via.getHost());
    assertEquals(5060, via.getPort());
    assertEquals("UDP", via.getTransport());
    assertEquals(1, count(n, ViaHeader.NAME), "one Via, the placeholder gone");
    CSeqHeader cseq = (CSeqHeader) n.getHeader(CSeqHeader.NAME);
    assertEquals(42, cseq.getSeqNumber());
    assertEquals(Request.NOTIFY, cseq.getMethod());
    assertEquals("call-1@uc.test", ((CallIdHeader) n.getHeader(CallIdHeader.NAME)).getCallId());
    assertEquals("ours", ((FromHeader) n.getHeader(FromHeader.NAME)).getTag());
    assertEquals("Bob", ((FromHeader) n.getHeader(FromHeader.NAME)).getAddress().getDisplayName());
    assertEquals("theirs", ((ToHeader) n.getHeader(ToHeader.NAME)).getTag());
    assertEquals("e1", ((EventHeader) n.getHeader(EventHeader.NAME)).getEventId());
    SubscriptionStateHeader state = (SubscriptionStateHeader) n.getHeader(SubscriptionStateHeader.NAME);
    assertEquals("active", state.getState());
    assertEquals(3599, state.getExpires());
    ContentTypeHeader type = (ContentTypeHeader) n.getHeader(ContentTypeHeader.NAME);
    assertEquals("application/pidf+xml", type.getContentType() + "/" + type.getContentSubType());
    assertEquals(body.length, n.getContentLength().getContentLength());
    assertArrayEquals(body, n.getRawContent());
  }

  @Test
  void numbersAreWrittenWholeAtEveryDigitCount() throws Exception {
    NotifyBytes bytes = NotifyBytes.of(template("sip:alice@127.0.0.1:5088", null), "10.0.0.9:5060", "application",
        "pidf+xml");
    long[] numbers = {0, 1, 9, 10, 99, 100, 999, 1000, 65535, Integer.MAX_VALUE};
    for (long n : numbers) {
      byte[] body = new byte[1 + (int) (n % 1001)];
      java.util.Arrays.fill(body, (byte) 'x');
      Request r = parse(bytes.render("z9hG4bK" + n, Math.max(1, n), "active", null, (int) Math.min(n, 86_400), body));
      assertEquals(Math.max(1, n), ((CSeqHeader) r.getHeader(CSeqHeader.NAME)).getSeqNumber(), "CSeq " + n);
      assertEquals(Math.min(n, 86_400), ((SubscriptionStateHeader) r.getHeader(SubscriptionStateHeader.NAME))
          .getExpires(), "expires " + n);
      assertEquals(body.length, r.getContentLength().getContentLength(), "Content-Length " + n);
      assertArrayEquals(body, r.getRawContent());
      assertEquals("z9hG4bK" + n, ((ViaHeader) r.getHeader(ViaHeader.NAME)).getBranch());
    }
  }

  @Test
  void aFinalNotifyWithoutBodyHasItsReasonAndNoContentType() throws Exception {
    NotifyBytes bytes = NotifyBytes.of(template("sip:alice@127.0.0.1:5088", null), "10.0.0.9:5060", "application",
        "pidf+xml");
    Request n = parse(bytes.render("z9hG4bKend", 43, "terminated", "timeout", 0, null));
    SubscriptionStateHeader state = (SubscriptionStateHeader) n.getHeader(SubscriptionStateHeader.NAME);
    assertEquals("terminated", state.getState());
    assertEquals("timeout", state.getReasonCode());
    assertNull(n.getHeader(ContentTypeHeader.NAME));
    assertEquals(0, n.getContentLength().getContentLength());
    assertEquals(1, count(n, CSeqHeader.NAME));
  }

  @Test
  void theNextHopIsTheLooseRouteElseTheRequestUriAndOnlyAnAddressOverUdp() throws Exception {
    assertEquals(new InetSocketAddress("192.0.2.7", 5070),
        NotifyBytes.nextHop(template("sip:alice@10.1.1.1:5088", "<sip:192.0.2.7:5070;transport=udp;lr>")));
    Request routed = parse(NotifyBytes.of(template("sip:alice@10.1.1.1:5088", "<sip:192.0.2.7:5070;lr>"),
        "10.0.0.9:5060", "application", "pidf+xml").render("z9hG4bKr", 2, "pending", null, 60, null));
    assertEquals("sip:192.0.2.7:5070;lr",
        ((SipURI) ((RouteHeader) routed.getHeader(RouteHeader.NAME)).getAddress().getURI()).toString());
    assertEquals(new InetSocketAddress("10.1.1.1", 5060), NotifyBytes.nextHop(template("sip:alice@10.1.1.1", null)));
    assertEquals(new InetSocketAddress("::1", 5090), NotifyBytes.nextHop(template("sip:alice@[::1]:5090", null)));
    assertNull(NotifyBytes.nextHop(template("sip:alice@phone.example.com", null)), "a name to resolve");
    assertNull(NotifyBytes.nextHop(template("sip:alice@10.1.1.1;transport=tcp", null)), "not UDP");
    assertNull(NotifyBytes.nextHop(template("sip:alice@10.1.1.1", "<sip:192.0.2.7>")), "a strict router");
    assertNull(NotifyBytes.of(template("sip:alice@phone.example.com", null), "10.0.0.9:5060", "application", "pidf+xml"));
  }

  private static int count(Request r, String name) {
    int n = 0;
    for (var it = r.getHeaders(name); it.hasNext(); it.next()) {
      n++;
    }
    return n;
  }
}
