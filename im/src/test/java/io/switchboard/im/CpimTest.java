package io.switchboard.im;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The CPIM codec on its own: RFC 3862's example, line ends, malformed input. */
class CpimTest {

  @Test
  void readsTheRfcExample() {
    String rfc = "From: MR SANDERS <im:piglet@100akerwood.com>\r\nTo: Depressed Donkey <im:eeyore@100akerwood.com>\r\n"
        + "DateTime: 2000-12-13T13:40:00-08:00\r\nSubject: the weather will be fine today\r\n\r\n"
        + "Content-type: text/plain\r\nContent-ID: <1234567890@foo.com>\r\n\r\nHere is the text of my message.";
    Cpim cpim = Cpim.parse(rfc.getBytes(StandardCharsets.UTF_8));
    assertEquals("MR SANDERS <im:piglet@100akerwood.com>", cpim.headers().get("from"));
    assertEquals("text/plain", cpim.contentType());
    assertTrue(cpim.isText());
    assertEquals("Here is the text of my message.", cpim.bodyText());
  }

  @Test
  void keepsTheInnerBodyExactly() {
    String body = "line one\r\nline two\r\n\r\nafter a blank line\r\n";
    byte[] message = ("From: <sip:a@x>\r\n\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body)
        .getBytes(StandardCharsets.UTF_8);
    assertArrayEquals(body.getBytes(StandardCharsets.UTF_8), Cpim.parse(message).body());
  }

  @Test
  void acceptsBareLineFeeds() {
    Cpim cpim = Cpim.parse("From: <sip:a@x>\n\nContent-Type: text/html\n\n<b>hi</b>".getBytes(StandardCharsets.UTF_8));
    assertEquals("text/html", cpim.contentType());
    assertFalse(cpim.isText());
  }

  @Test
  void rendersWhatItReads() {
    byte[] rendered = Cpim.render("Alice <sip:alice@x>", "<sip:room-team@x>", "2026-11-26T10:00:00Z", "Grüße");
    Cpim cpim = Cpim.parse(rendered);
    assertEquals("Alice <sip:alice@x>", cpim.headers().get("from"));
    assertEquals("Grüße", cpim.bodyText());
  }

  @Test
  void refusesWhatIsNotCpim() {
    assertThrows(IllegalArgumentException.class, () -> Cpim.parse("just text".getBytes(StandardCharsets.UTF_8)));
    assertThrows(IllegalArgumentException.class,
        () -> Cpim.parse("From: a\r\n\r\nno mime headers".getBytes(StandardCharsets.UTF_8)));
    assertThrows(IllegalArgumentException.class,
        () -> Cpim.parse("not a header\r\n\r\nContent-Type: text/plain\r\n\r\nx".getBytes(StandardCharsets.UTF_8)));
  }
}
