package io.switchboard.core.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The scanner reads the plain first request of a digest exchange, in full, compact and folded forms,
 * and gives up (null: the stack parses it) on anything else. RawChallengeTest checks the answers on
 * the wire; this checks what it refuses, case by case.
 */
class RawRequestTest {

  private static final String PLAIN = """
      REGISTER sip:uc.test SIP/2.0
      Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK1;rport
      Max-Forwards: 70
      From: <sip:alice@uc.test>;tag=a1
      To: <sip:alice@uc.test>
      Call-ID: c1@127.0.0.1
      CSeq: 1 REGISTER
      Contact: <sip:alice@127.0.0.1:5062>
      Content-Length: 0

      """;

  @Test
  void aPlainRequestIsRead() {
    RawRequest r = scan(PLAIN);
    assertNotNull(r);
    assertEquals("REGISTER", r.method());
    assertEquals("sip:uc.test", r.requestUri());
    assertEquals("a1", r.fromTag());
    assertEquals("c1@127.0.0.1", r.callId());
    assertEquals(1, r.cseq());
    assertEquals("z9hG4bK1", r.branch());
    assertEquals("SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK1;rport=5999;received=127.0.0.1",
        r.topVia().received("127.0.0.1", 5999).encode());
    assertEquals("SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK1", scan(PLAIN.replace(";rport", "")).topVia()
        .received("127.0.0.1", 5999).encode(), "no rport, the same host: left as it is");
  }

  @Test
  void compactFormsAnyCaseAndFoldedLinesAreRead() {
    RawRequest r = scan(PLAIN.replace("Via:", "v:").replace("From: <sip", "F:\n <sip").replace("To:", "t:")
        .replace("Call-ID:", "I:").replace("CSeq:", "cseq:").replace("Content-Length:", "l:"));
    assertNotNull(r);
    assertEquals("a1", r.fromTag());
    assertEquals("<sip:alice@uc.test>;tag=a1", r.from().encode());
  }

  @Test
  void anythingElseIsLeftToTheStack() {
    String[][] odd = {
        {"Max-Forwards: 70\n", "Max-Forwards: 70\nAuthorization: Digest username=\"alice\"\n"},
        {"Max-Forwards: 70\n", "Max-Forwards: 70\nproxy-authorization: Digest username=\"alice\"\n"},
        {"Max-Forwards: 70\n", "Max-Forwards: 70\nRequire: 100rel\n"},
        {"Max-Forwards: 70\n", "Max-Forwards: 70\nRecord-Route: <sip:p.uc.test;lr>\n"},
        {"To: <sip:alice@uc.test>", "To: <sip:alice@uc.test>;tag=x"},
        {";tag=a1", ""},
        {"CSeq: 1 REGISTER", "CSeq: one REGISTER"},
        {"CSeq: 1 REGISTER", "CSeq: 1 MESSAGE"},
        {"Content-Length: 0", "Content-Length: 5"},
        {"Content-Length: 0\n", ""},
        {"Max-Forwards: 70", "Max-Forwards: 0"},
        {"Call-ID: c1@127.0.0.1\n", "Call-ID: c1@127.0.0.1\nCall-ID: c2@127.0.0.1\n"},
        {"SIP/2.0/UDP 127.0.0.1:5062", "SIP/2.0/TCP 127.0.0.1:5062"},
        {"SIP/2.0/UDP 127.0.0.1:5062", "SIP/2.0/UDP [::1]:5062"},
        {";rport", ";rport=abc"},
        {";branch=z9hG4bK1", ";branch=1"},
        {";branch=z9hG4bK1", ""},
        {"REGISTER sip:uc.test", "REGISTER tel:+15551234"},
        {"REGISTER sip:uc.test", "OPTIONS sip:uc.test"},
        {"From: <sip:alice@uc.test>", "From: \"Al\\\"ice\" <sip:alice@uc.test>"},
        {"From: <sip:alice@uc.test>", "From: <sip:%61lice@uc.test>"},
        {"To: <sip:alice@uc.test>", "To: <sip:alice@uc.test>, <sip:bob@uc.test>"},
        {"Contact: ", "Contact : "}, // any name with a space before the colon is read, this one ...
    };
    for (String[] change : odd) {
      if (change[1].startsWith("Contact :")) {
        assertNotNull(scan(PLAIN.replace(change[0], change[1])), "... and does not matter");
        continue;
      }
      String request = PLAIN.replace(change[0], change[1]);
      assertNull(scan(request), "left to the stack: " + request);
    }
    byte[] bareLf = PLAIN.getBytes(StandardCharsets.US_ASCII);
    assertNull(RawRequest.scan(bareLf, 0, bareLf.length), "bare LFs");
    byte[] utf8 = crlf(PLAIN.replace("Contact: <sip:alice@", "Contact: \"Zoë\" <sip:alice@"));
    assertNull(RawRequest.scan(utf8, 0, utf8.length), "beyond ASCII");
  }

  private static RawRequest scan(String text) {
    byte[] bytes = crlf(text);
    byte[] padded = new byte[bytes.length + 7];
    System.arraycopy(bytes, 0, padded, 3, bytes.length);
    return RawRequest.scan(padded, 3, bytes.length); // at an offset, as the socket's buffer holds it
  }

  private static byte[] crlf(String text) {
    return text.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
  }
}
