package io.switchboard.telephony;

import java.util.Locale;
import java.util.Map;

/**
 * What makes a user's own desk phone answer a click-to-call by itself, so that one click in the
 * console is the whole gesture: the header each vendor's firmware honours, put on the INVITE that
 * Asterisk sends to the phone through an Originate channel variable ({@code PJSIP_HEADER(add,...)}).
 * Vendors not listed (softphones, mobiles, unknown phones) get nothing and simply ring.
 *
 * <ul>
 *   <li>Yealink and Polycom: {@code Alert-Info: info=alert-autoanswer} (Yealink answers it as
 *   shipped; Polycom needs an alert-info class "autoAnswer" for that value, which its provisioning
 *   file sets);</li>
 *   <li>Snom, Cisco SPA/MPP and Grandstream: {@code Call-Info: <sip:domain>;answer-after=0}
 *   (Grandstream with "allow auto answer by Call-Info" on, which its provisioning file sets).</li>
 * </ul>
 */
final class AutoAnswer {

  private AutoAnswer() {
  }

  /** The Originate channel variables for a phone of this vendor; empty when it has no such feature. */
  static Map<String, String> variables(String vendor, String domain) {
    if (vendor == null) {
      return Map.of();
    }
    return switch (vendor.toLowerCase(Locale.ROOT)) {
      case "yealink", "polycom" -> Map.of("PJSIP_HEADER(add,Alert-Info)", "info=alert-autoanswer");
      case "snom", "cisco", "grandstream" -> Map.of("PJSIP_HEADER(add,Call-Info)", "<sip:" + domain + ">;answer-after=0");
      default -> Map.of();
    };
  }
}
