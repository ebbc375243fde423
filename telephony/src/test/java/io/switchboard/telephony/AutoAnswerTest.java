package io.switchboard.telephony;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class AutoAnswerTest {

  @Test
  void eachVendorGetsTheHeaderItsFirmwareHonours() {
    assertEquals(Map.of("PJSIP_HEADER(add,Alert-Info)", "info=alert-autoanswer"), AutoAnswer.variables("Yealink", "pbx.test"));
    assertEquals(Map.of("PJSIP_HEADER(add,Alert-Info)", "info=alert-autoanswer"), AutoAnswer.variables("polycom", "pbx.test"));
    for (String vendor : new String[] {"snom", "cisco", "grandstream"}) {
      assertEquals(Map.of("PJSIP_HEADER(add,Call-Info)", "<sip:pbx.test>;answer-after=0"), AutoAnswer.variables(vendor, "pbx.test"));
    }
  }

  @Test
  void phonesWithoutTheFeatureSimplyRing() {
    assertTrue(AutoAnswer.variables(null, "pbx.test").isEmpty());
    assertTrue(AutoAnswer.variables("baresip", "pbx.test").isEmpty());
  }
}
