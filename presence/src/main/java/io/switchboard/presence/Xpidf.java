package io.switchboard.presence;

import io.switchboard.core.text.Xml;
import java.nio.charset.StandardCharsets;

/**
 * Renders presence as XPIDF ({@code application/xpidf+xml}), the pre-RFC 3863 format of
 * draft-rosenberg-impp-pidf that older Cisco, Polycom and Snom firmware ask for. There is no RFC:
 * the element set is that of MS-SIP's Appendix B (presence, presentity, atom, address, status,
 * msnsubstatus), written the way Asterisk's chan_sip and res_pjsip_xpidf_body_generator write it,
 * which is what those phones have been reading for years: the DOCTYPE line, the presentity URI with
 * {@code ;method=SUBSCRIBE}, one atom whose id is the user, one address with {@code ;user=ip} and
 * priority 0.8. Pure.
 *
 * <table>
 *   <caption>States as XPIDF</caption>
 *   <tr><th>state</th><th>status</th><th>msnsubstatus</th></tr>
 *   <tr><td>available</td><td>open</td><td>online</td></tr>
 *   <tr><td>away</td><td>open</td><td>away</td></tr>
 *   <tr><td>busy, dnd</td><td>inuse</td><td>busy</td></tr>
 *   <tr><td>on-the-phone, ringing</td><td>inuse</td><td>onthephone</td></tr>
 *   <tr><td>offline</td><td>closed</td><td>offline</td></tr>
 * </table>
 *
 * XPIDF has no note a phone shows: the state is all it carries.
 */
final class Xpidf {

  private Xpidf() {
  }

  /**
   * @param presentityUri the presentity's address of record
   * @param atomId the atom's id (the user: stable across changes, as phones key their display on it)
   */
  static byte[] render(String presentityUri, String atomId, PresenceView view) {
    String uri = Xml.escape(presentityUri);
    String x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<!DOCTYPE presence PUBLIC \"-//IETF//DTD RFCxxxx XPIDF 1.0//EN\" \"xpidf.dtd\">\n"
        + "<presence>\n"
        + "<presentity uri=\"" + uri + ";method=SUBSCRIBE\"/>\n"
        + "<atom id=\"" + Xml.escape(atomId) + "\">\n"
        + "<address uri=\"" + uri + ";user=ip\" priority=\"0.800000\">\n"
        + "<status status=\"" + status(view.state()) + "\"/>\n"
        + "<msnsubstatus substatus=\"" + substatus(view.state()) + "\"/>\n"
        + "</address>\n"
        + "</atom>\n"
        + "</presence>\n";
    return x.getBytes(StandardCharsets.UTF_8);
  }

  static String status(PresenceState state) {
    return switch (state) {
      case AVAILABLE, AWAY -> "open";
      case BUSY, DND, ON_THE_PHONE, RINGING, IN_MEETING -> "inuse";
      case OFFLINE -> "closed";
    };
  }

  static String substatus(PresenceState state) {
    return switch (state) {
      case AVAILABLE -> "online";
      case AWAY -> "away";
      case BUSY, DND, IN_MEETING -> "busy";
      case ON_THE_PHONE, RINGING -> "onthephone";
      case OFFLINE -> "offline";
    };
  }
}
