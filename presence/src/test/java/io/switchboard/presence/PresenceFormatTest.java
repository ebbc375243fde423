package io.switchboard.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which document a presence subscription gets for its SUBSCRIBE's Accept. */
class PresenceFormatTest {

  private static PresenceFormat choose(String accept) {
    return PresenceFormat.choose(accept.isEmpty() ? List.of() : Arrays.stream(accept.split(",")).map(String::trim).toList());
  }

  @ParameterizedTest(name = "Accept: {0}")
  @CsvSource(delimiter = '|', value = {
      "| PIDF",
      "application/pidf+xml | PIDF",
      "APPLICATION/PIDF+XML | PIDF",
      "multipart/related, application/rlmi+xml, application/pidf+xml | PIDF",
      "application/* | PIDF",
      "*/* | PIDF",
      "application/xpidf+xml | XPIDF",
      "application/cpim-pidf+xml | CPIM_PIDF",
      "application/xpidf+xml, application/pidf+xml | XPIDF",
      "application/pidf+xml, application/xpidf+xml | PIDF_REDUCED",
      "application/pidf+xml;q=0.5, application/xpidf+xml | XPIDF",
      "application/xpidf+xml;q=0, application/pidf+xml | PIDF",
      "application/pidf+xml, application/cpim-pidf+xml | PIDF_REDUCED",
      "text/plain, application/cpim-pidf+xml | CPIM_PIDF",
  })
  void theMostPreferredFormatWeWrite(String accept, PresenceFormat expected) {
    assertEquals(expected, choose(accept == null ? "" : accept));
  }

  @Test
  void nothingWeWriteIsNone() {
    assertNull(choose("application/dialog-info+xml"));
    assertNull(choose("application/pidf+xml;q=0"));
  }

  @Test
  void eachFormatHasItsContentType() {
    assertEquals("application/xpidf+xml", PresenceFormat.XPIDF.type + "/" + PresenceFormat.XPIDF.subType);
    assertEquals("application/cpim-pidf+xml", PresenceFormat.CPIM_PIDF.type + "/" + PresenceFormat.CPIM_PIDF.subType);
    assertEquals("application/pidf+xml", PresenceFormat.PIDF_REDUCED.type + "/" + PresenceFormat.PIDF_REDUCED.subType);
  }
}
