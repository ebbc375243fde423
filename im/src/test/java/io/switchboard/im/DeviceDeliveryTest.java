package io.switchboard.im;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.model.Device;
import io.switchboard.core.sip.Binding;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What one device is sent, pure: the profile of a provisioned device over its REGISTER's Accept, and the length cut. */
class DeviceDeliveryTest {

  private static final Instant T = Instant.parse("2026-11-26T10:00:00Z");

  private static Binding binding(List<String> accept, String device) {
    return new Binding("bob", "k", "sip:bob@127.0.0.1:5099", T.plusSeconds(300), "c", 1, 1f, "ua", accept, "udp",
        "127.0.0.1:5099", device);
  }

  private static StoredMessage cpim(String text) {
    byte[] body = Cpim.render("<sip:alice@d>", "<sip:bob@d>", T.toString(), text);
    return new StoredMessage("m1", "alice", "Alice", "bob", null, "alice|bob", "message/cpim", body, text,
        MessageState.PENDING, T, null, 0);
  }

  @Test
  void aProfileOverridesTheRegisterAccept() {
    Binding registeredPlain = binding(List.of("text/plain"), "dev-1");
    DeviceView provisioned = DeviceView.asProvisioned(registeredPlain,
        new Device.Profile(List.of("message/cpim"), 1024, true, true));
    assertEquals("cpim", DeviceDelivery.contentFor(cpim("Hello"), provisioned).subType());
    assertEquals("plain", DeviceDelivery.contentFor(cpim("Hello"), DeviceView.asRegistered(registeredPlain)).subType());

    DeviceView showsNothing = DeviceView.asProvisioned(registeredPlain,
        new Device.Profile(List.of("application/vnd.example"), 1024, true, true));
    assertFalse(DeviceDelivery.canShowMessages(showsNothing));
    assertTrue(DeviceDelivery.canShowMessages(DeviceView.asRegistered(registeredPlain)));
  }

  @Test
  void longerTextIsCutToTheProfileLengthEvenInsideCpim() {
    Binding b = binding(List.of(), "dev-1");
    DeviceView plain = DeviceView.asProvisioned(b, new Device.Profile(List.of("text/plain"), 5, true, true));
    assertEquals("Hell…", new String(DeviceDelivery.contentFor(cpim("Hello there"), plain).body(), StandardCharsets.UTF_8));
    assertEquals("Hello", new String(DeviceDelivery.contentFor(cpim("Hello"), plain).body(), StandardCharsets.UTF_8));

    DeviceView cpimDevice = DeviceView.asProvisioned(b, new Device.Profile(List.of("message/cpim"), 5, true, true));
    Cpim rebuilt = Cpim.parse(DeviceDelivery.contentFor(cpim("Hello there"), cpimDevice).body());
    assertEquals("Hell…", rebuilt.bodyText());
    assertEquals("<sip:alice@d>", rebuilt.headers().get("from"));
    assertEquals("😀😀…", DeviceDelivery.shorten("😀😀😀😀", 3), "characters, not UTF-16 units");
  }
}
