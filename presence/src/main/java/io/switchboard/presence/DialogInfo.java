package io.switchboard.presence;

import io.switchboard.api.CallStateEvent;
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
    return template(entity, call).withVersion(version);
  }

  /**
   * The document with its version left open: rendered once per state and shared by every watcher,
   * each of whom counts its own version (RFC 4235 §4.1).
   */
  static Rendered template(String entity, CallStateEvent.State call) {
    StringBuilder head = new StringBuilder(96);
    head.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .append("<dialog-info xmlns=\"").append(NS).append("\" version=\"");
    StringBuilder tail = new StringBuilder(160);
    tail.append("\" state=\"full\" entity=\"").append(Xml.escape(entity)).append("\">\n");
    if (call != null && call != CallStateEvent.State.IDLE) {
      String direction = call == CallStateEvent.State.DIALING ? "initiator" : "recipient";
      String state = call == CallStateEvent.State.RINGING || call == CallStateEvent.State.DIALING ? "early" : "confirmed";
      tail.append("  <dialog id=\"sb-call\" direction=\"").append(direction).append("\">\n")
          .append("    <state>").append(state).append("</state>\n")
          .append("  </dialog>\n");
    }
    tail.append("</dialog-info>\n");
    return Rendered.around(head.toString().getBytes(StandardCharsets.UTF_8), tail.toString().getBytes(StandardCharsets.UTF_8));
  }
}
