package io.switchboard.presence;

import io.switchboard.core.bus.CallStateEvent;
import io.switchboard.core.text.Xml;
import java.nio.charset.StandardCharsets;

/**
 * Renders a user's call state as dialog-info (RFC 4235) for BLF keys: no dialog when idle, an
 * early dialog while ringing (recipient) or dialling (initiator), a confirmed one in a call or on
 * hold. One dialog summarises the user's busiest call, as telephony resolves it. Pure.
 */
final class DialogInfo {

  static final String NS = "urn:ietf:params:xml:ns:dialog-info";

  private DialogInfo() {
  }

  static byte[] render(String entity, long version, CallStateEvent.State call) {
    StringBuilder x = new StringBuilder(256);
    x.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .append("<dialog-info xmlns=\"").append(NS).append("\" version=\"").append(version)
        .append("\" state=\"full\" entity=\"").append(Xml.escape(entity)).append("\">\n");
    if (call != null && call != CallStateEvent.State.IDLE) {
      String direction = call == CallStateEvent.State.DIALING ? "initiator" : "recipient";
      String state = call == CallStateEvent.State.RINGING || call == CallStateEvent.State.DIALING ? "early" : "confirmed";
      x.append("  <dialog id=\"sb-call\" direction=\"").append(direction).append("\">\n")
          .append("    <state>").append(state).append("</state>\n")
          .append("  </dialog>\n");
    }
    x.append("</dialog-info>\n");
    return x.toString().getBytes(StandardCharsets.UTF_8);
  }
}
