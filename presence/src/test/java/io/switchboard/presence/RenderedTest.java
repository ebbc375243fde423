package io.switchboard.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.switchboard.api.CallStateEvent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Documents rendered once and shared: each subscription's version is spliced in, nothing else differs. */
class RenderedTest {

  @Test
  void dialogInfoRenderedOnceCarriesEachSubscriptionsVersion() {
    Rendered shared = DialogInfo.template("sip:bob@example.test", CallStateEvent.State.RINGING);
    String expected = """
        <?xml version="1.0" encoding="UTF-8"?>
        <dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="%d" state="full" entity="sip:bob@example.test">
          <dialog id="sb-call" direction="recipient">
            <state>early</state>
          </dialog>
        </dialog-info>
        """;
    assertEquals(expected.formatted(0), new String(shared.withVersion(0), StandardCharsets.UTF_8));
    assertEquals(expected.formatted(12345), new String(shared.withVersion(12345), StandardCharsets.UTF_8));
  }

  @Test
  void anIdleDialogInfoHasNoDialog() {
    assertEquals("""
        <?xml version="1.0" encoding="UTF-8"?>
        <dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="3" state="full" entity="sip:a&amp;b@example.test">
        </dialog-info>
        """, new String(DialogInfo.render("sip:a&b@example.test", 3, CallStateEvent.State.IDLE), StandardCharsets.UTF_8));
  }

  @Test
  void aWholeDocumentIsTheSameBytesForEveryWatcher() {
    byte[] pidf = Pidf.render("sip:bob@example.test", PresenceView.OFFLINE);
    Rendered shared = Rendered.whole(pidf);
    assertSame(pidf, shared.withVersion(1));
    assertSame(pidf, shared.withVersion(2));
  }
}
