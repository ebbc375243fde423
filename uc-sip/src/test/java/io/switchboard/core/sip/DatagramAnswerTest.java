package io.switchboard.core.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Reading an answer's status, top Via branch and CSeq method from its bytes, or leaving it to the parser. */
class DatagramAnswerTest {

  private static DatagramAnswer peek(String text) {
    byte[] bytes = ("xx" + text).getBytes(StandardCharsets.US_ASCII);
    return DatagramAnswer.peek(bytes, 2, bytes.length - 2);
  }

  @Test
  void aResponseGivesItsStatusTopBranchAndMethod() {
    DatagramAnswer a = peek("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKtop;rport=5060,"
        + " SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKsecond\r\nVia: SIP/2.0/UDP 10.0.0.3;branch=z9hG4bKthird\r\n"
        + "From: <sip:a@x>;tag=1\r\nCSeq: 7 NOTIFY\r\nContent-Length: 0\r\n\r\n");
    assertEquals(new DatagramAnswer(200, "z9hG4bKtop", "NOTIFY"), a);
  }

  @Test
  void compactAndOddlyCasedHeadersAndBareNewlinesAreRead() {
    assertEquals(new DatagramAnswer(481, "z9hG4bKc", "NOTIFY"),
        peek("SIP/2.0 481 Call Does Not Exist\ncseq:   12   NOTIFY\nv: SIP/2.0/UDP h;BRANCH=z9hG4bKc\n\n"));
    assertEquals(new DatagramAnswer(100, "z9hG4bKp", "MESSAGE"),
        peek("SIP/2.0 100 Trying\r\nCSeq: 1 MESSAGE\r\nVia: SIP/2.0/UDP h ; branch = z9hG4bKp\r\n\r\n"));
    assertEquals(new DatagramAnswer(200, "z9hG4bKn", "MESSAGE"),
        peek("SIP/2.0 200 OK\r\nVias: x\r\nCSeqs: 9 NOTIFY\r\nV\t: SIP/2.0/UDP h;branch=z9hG4bKn\r\n"
            + "CSEQ \t:\t1\tMESSAGE \r\n\r\n"),
        "names compared whole, blanks around a name and between the CSeq's words ignored");
    assertNull(peek("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKa\r\nCSeq: 1 MESSAGE x\r\n\r\n"),
        "a CSeq of three words");
    assertNull(peek("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKa\r\nCSeq: 1\r\n\r\n"), "of one");
  }

  @Test
  void whatItCannotReadIsLeftToTheParser() {
    assertNull(peek("NOTIFY sip:a@x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKr\r\nCSeq: 1 NOTIFY\r\n\r\n"), "a request");
    assertNull(peek("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h\r\nCSeq: 1 NOTIFY\r\n\r\n"), "no branch");
    assertNull(peek("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKa\r\n\r\nCSeq: 1 NOTIFY\r\n"),
        "CSeq only in the body");
    assertNull(peek("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h\r\n ;branch=z9hG4bKf\r\nCSeq: 1 NOTIFY\r\n\r\n"), "folded");
    assertNull(peek("SIP/2.0 2x0 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKa\r\nCSeq: 1 NOTIFY\r\n\r\n"), "bad status");
    assertNull(peek("SIP/2.0 200"), "truncated");
  }
}
