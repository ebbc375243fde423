package io.switchboard.im;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import gov.nist.javax.sip.parser.StringMsgParser;
import io.switchboard.core.sip.SipEdge;
import io.switchboard.core.sip.SipFactories;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.RouteHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import org.junit.jupiter.api.Test;

/**
 * The MESSAGE to a device written as bytes says what the stack's request says: parsed back by JAIN-SIP,
 * the same Request-URI, Route, To, CSeq, Max-Forwards and Via sent-by as the template, this message's
 * branch, Call-ID, From (display name, URI, tag), Content-Type and body.
 */
class MessageBytesTest {

  private static final SipFactories F = SipFactories.create();
  private static final String DOMAIN = "switchboard.test";

  /** As SipEdge#requestToDevice builds one for a device behind NAT over UDP. */
  private static Request template(String contact, String natSource) throws Exception {
    Address from = F.addresses().createAddress(F.addresses().createSipURI("switchboard", DOMAIN));
    Address to = F.addresses().createAddress(F.addresses().createSipURI("bob", DOMAIN));
    Request r = F.messages().createRequest(F.addresses().createURI(contact), Request.MESSAGE,
        F.headers().createCallIdHeader("0123abcd@10.0.0.1"), F.headers().createCSeqHeader(1L, Request.MESSAGE),
        F.headers().createFromHeader(from, "t0"), F.headers().createToHeader(to, null),
        List.of(F.headers().createViaHeader("10.0.0.1", 5070, "udp", "z9hG4bKtemplate")),
        F.headers().createMaxForwardsHeader(70));
    if (natSource != null) {
      SipURI hop = F.addresses().createSipURI(null, natSource.substring(0, natSource.indexOf(':')));
      hop.setPort(Integer.parseInt(natSource.substring(natSource.indexOf(':') + 1)));
      hop.setTransportParam("udp");
      hop.setLrParam();
      r.addFirst(F.headers().createRouteHeader(F.addresses().createAddress(hop)));
    }
    return r;
  }

  private static Request parse(byte[] datagram) throws Exception {
    return (Request) new StringMsgParser().parseSIPMessage(datagram, true, false, null);
  }

  @Test
  void theBytesSayWhatTheStacksRequestSays() throws Exception {
    Request template = template("sip:bob-desk@192.168.1.20:5062", "203.0.113.7:40000");
    InetSocketAddress hop = SipEdge.datagramTarget(template);
    assertEquals(new InetSocketAddress("203.0.113.7", 40000), hop, "the Route back through the NAT");
    MessageBytes bytes = MessageBytes.of(template, hop, DOMAIN);
    assertNotNull(bytes);
    assertEquals(hop, bytes.to());

    byte[] body = "Grüße, 😀".getBytes(StandardCharsets.UTF_8);
    byte[] datagram = bytes.render("z9hG4bKfresh", "c0ffee", "alice", "Alice Ärger", "tag1",
        "text/plain;charset=UTF-8", body);
    Request sent = parse(datagram);
    Request stacks = (Request) template.clone();
    stacks.setContent(body, F.headers().createContentTypeHeader("text", "plain"));
    assertEquals(headerNames(stacks.toString()), headerNames(new String(datagram, StandardCharsets.UTF_8)),
        "the headers in the stack's order");

    assertEquals(template.getRequestURI(), sent.getRequestURI());
    assertEquals(Request.MESSAGE, sent.getMethod());
    assertEquals(template.getHeader(RouteHeader.NAME).toString(), sent.getHeader(RouteHeader.NAME).toString());
    assertEquals(template.getHeader(ToHeader.NAME).toString(), sent.getHeader(ToHeader.NAME).toString());
    assertEquals(1L, ((CSeqHeader) sent.getHeader(CSeqHeader.NAME)).getSeqNumber());
    assertEquals(Request.MESSAGE, ((CSeqHeader) sent.getHeader(CSeqHeader.NAME)).getMethod());
    assertEquals(70, ((MaxForwardsHeader) sent.getHeader(MaxForwardsHeader.NAME)).getMaxForwards());
    ViaHeader via = (ViaHeader) sent.getHeader(ViaHeader.NAME);
    assertEquals("10.0.0.1", via.getHost());
    assertEquals(5070, via.getPort());
    assertEquals("UDP", via.getTransport().toUpperCase());
    assertEquals("z9hG4bKfresh", via.getBranch());
    assertEquals("c0ffee@10.0.0.1", ((CallIdHeader) sent.getHeader(CallIdHeader.NAME)).getCallId());
    FromHeader from = (FromHeader) sent.getHeader(FromHeader.NAME);
    assertEquals("Alice Ärger", from.getAddress().getDisplayName());
    assertEquals("sip:alice@" + DOMAIN, from.getAddress().getURI().toString());
    assertEquals("tag1", from.getTag());
    ContentTypeHeader type = (ContentTypeHeader) sent.getHeader(ContentTypeHeader.NAME);
    assertEquals("text/plain", type.getContentType() + "/" + type.getContentSubType());
    assertEquals("UTF-8", type.getParameter("charset"));
    assertArrayEquals(body, sent.getRawContent());
    assertEquals(body.length, sent.getContentLength().getContentLength());
  }

  @Test
  void aDisplayNameCannotBreakTheHeader() throws Exception {
    Request template = template("sip:bob@127.0.0.1:5099", null);
    MessageBytes bytes = MessageBytes.of(template, SipEdge.datagramTarget(template), DOMAIN);
    Request sent = parse(bytes.render("z9hG4bK1", "c1", "room-lobby", "say \"hi\" \\ now\r\nVia: evil", "t",
        "message/cpim", "x".getBytes(StandardCharsets.UTF_8)));
    FromHeader from = (FromHeader) sent.getHeader(FromHeader.NAME);
    assertEquals("sip:room-lobby@" + DOMAIN, from.getAddress().getURI().toString());
    assertEquals(1, countHeaders(sent, ViaHeader.NAME), "a CR LF in a name starts no header");
    assertEquals("\"say \\\"hi\\\" \\\\ now  Via: evil\" <sip:room-lobby@switchboard.test>;tag=t",
        from.toString().substring("From: ".length()).trim());
    assertEquals(new InetSocketAddress("127.0.0.1", 5099), bytes.to(), "no Route: the Contact");
  }

  @Test
  void aUserPartThatNeedsEscapingTakesTheStacksPath() throws Exception {
    Request template = template("sip:bob@127.0.0.1:5099", null);
    MessageBytes bytes = MessageBytes.of(template, SipEdge.datagramTarget(template), DOMAIN);
    assertNull(bytes.render("z9hG4bK1", "c1", "al ice", "A", "t", "text/plain", new byte[1]));
    assertNull(bytes.render("z9hG4bK1", "c1", "al@ice", "A", "t", "text/plain", new byte[1]));
    assertNotNull(bytes.render("z9hG4bK1", "c1", "al.ice_1-2", "A", "t", "text/plain", new byte[1]));
  }

  @Test
  void whatDoesNotGoOutAsADatagramHasNoBytes() throws Exception {
    assertNull(SipEdge.datagramTarget(template("sip:bob@phone.example.com:5099", null)), "a name to resolve");
    Request tcp = template("sip:bob@127.0.0.1:5099;transport=tcp", null);
    tcp.setHeader(F.headers().createViaHeader("10.0.0.1", 5070, "tcp", "z9hG4bKx"));
    assertNull(SipEdge.datagramTarget(tcp));
  }

  private static List<String> headerNames(String message) {
    return java.util.Arrays.stream(message.split("\r\n\r\n")[0].split("\r\n")).skip(1)
        .map(line -> line.substring(0, line.indexOf(':')).trim()).toList();
  }

  private static int countHeaders(Request r, String name) {
    int n = 0;
    for (var it = r.getHeaders(name); it.hasNext(); it.next()) {
      n++;
    }
    return n;
  }
}
