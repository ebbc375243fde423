package io.switchboard.core.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetSocketAddress;
import javax.sip.SipFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.Test;

/**
 * Where {@link SipEdge} sends a response without a transaction from its own socket: where the stack's
 * stateless send would (RFC 3261 §18.2.2, RFC 3581), or nowhere of its own (null: the stack decides).
 * The responses themselves are checked on the wire in {@link StatelessChallengeTest}.
 */
class StatelessTargetTest {

  private static Response answerTo(String via) throws Exception {
    Request r = SipFactory.getInstance().createMessageFactory().createRequest(
        "MESSAGE sip:bob@uc.test SIP/2.0\r\n"
            + "Via: " + via + "\r\n"
            + "From: <sip:alice@uc.test>;tag=a1\r\n"
            + "To: <sip:bob@uc.test>\r\n"
            + "Call-ID: c1\r\n"
            + "CSeq: 2 MESSAGE\r\n"
            + "Max-Forwards: 70\r\n"
            + "Content-Length: 0\r\n\r\n");
    return SipFactory.getInstance().createMessageFactory().createResponse(200, r);
  }

  @Test
  void viaReceivedRportPortOrDefault() throws Exception {
    assertEquals(new InetSocketAddress("127.0.0.1", 5070),
        SipEdge.statelessTarget(answerTo("SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1")));
    assertEquals(new InetSocketAddress("127.0.0.2", 5060),
        SipEdge.statelessTarget(answerTo("SIP/2.0/UDP 127.0.0.2;branch=z9hG4bK1")), "no port: 5060");
    assertEquals(new InetSocketAddress("127.0.0.3", 5070),
        SipEdge.statelessTarget(answerTo("SIP/2.0/UDP 10.0.0.9:5070;received=127.0.0.3;branch=z9hG4bK1")), "received");
    assertEquals(new InetSocketAddress("127.0.0.3", 40123),
        SipEdge.statelessTarget(answerTo("SIP/2.0/UDP 10.0.0.9:5070;received=127.0.0.3;rport=40123;branch=z9hG4bK1")),
        "received and rport (NAT)");
    assertEquals(new InetSocketAddress("::1", 5099),
        SipEdge.statelessTarget(answerTo("SIP/2.0/UDP [::1]:5099;branch=z9hG4bK1")));
  }

  @Test
  void namesAndStreamsLeftToTheStack() throws Exception {
    assertNull(SipEdge.statelessTarget(answerTo("SIP/2.0/UDP phone.uc.test:5070;branch=z9hG4bK1")));
    assertNull(SipEdge.statelessTarget(answerTo("SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK1")));
  }
}
