package io.switchboard.core.device;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.api.presence.DeviceUsed;
import io.switchboard.core.model.Device.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DevicesInUseTest {

  private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
  private final DevicesInUse uses = new DevicesInUse(Duration.ofSeconds(600));
  /** bob's desk phone, his mobile, his softphone, in the caller's order. */
  private final Map<String, Kind> phones = new LinkedHashMap<>(Map.of());

  DevicesInUseTest() {
    phones.put("desk", Kind.DESK_PHONE);
    phones.put("mobile", Kind.MOBILE);
    phones.put("laptop", Kind.SOFTPHONE);
  }

  private void used(String device, String kind, long secondsAgo) {
    uses.used(new DeviceUsed("bob", device, kind, "message", NOW.minusSeconds(secondsAgo).toEpochMilli()));
  }

  private Optional<String> inUse() {
    return uses.inUse("bob", phones, NOW);
  }

  @Test
  void noUseAtAllIsTheDeskPhone() {
    assertEquals(Optional.of("desk"), inUse());
  }

  @Test
  void withNoUseTheFirstDeskPhoneInTheCallersOrderElseNone() {
    Map<String, Kind> two = new LinkedHashMap<>();
    two.put("laptop", Kind.SOFTPHONE);
    two.put("desk-2", Kind.DESK_PHONE);
    two.put("desk-1", Kind.DESK_PHONE);
    assertEquals(Optional.of("desk-2"), DevicesInUse.choose(Map.of(), two, NOW, Duration.ofSeconds(600)));
    assertEquals(Optional.empty(), DevicesInUse.choose(Map.of(), Map.of("laptop", Kind.SOFTPHONE, "mobile",
        Kind.MOBILE), NOW, Duration.ofSeconds(600)), "no desk phone and nothing used: no device in use");
    used("mobile", "mobile", 601); // used, but outside the window: the same answer by the whole rule
    assertEquals(Optional.of("desk"), inUse());
  }

  @Test
  void activeOnlyOnTheMobileWithinTheWindowIsTheMobile() {
    used("desk", "desk-phone", 3600);
    used("mobile", "mobile", 60);
    assertEquals(Optional.of("mobile"), inUse());
  }

  @Test
  void theDeskPhoneOrTheConsoleWithinTheWindowIsTheDeskPhone() {
    used("mobile", "mobile", 30);
    used("desk", "desk-phone", 300);
    assertEquals(Optional.of("desk"), inUse(), "used both within the window: at the desk");
    used("mobile", "mobile", 10);
    uses.used(new DeviceUsed("bob", DeviceUses.CONSOLE, "web", "focus", NOW.minusSeconds(5).toEpochMilli()));
    assertEquals(Optional.of("desk"), inUse());
  }

  @Test
  void aMobileUseOutsideTheWindowIsTheDeskPhoneAgain() {
    used("mobile", "mobile", 601);
    assertEquals(Optional.of("desk"), inUse());
  }

  @Test
  void theLatestUseOfADeviceCountsEvenWhenReportedOutOfOrder() {
    used("mobile", "mobile", 30);
    used("mobile", "mobile", 900);
    assertEquals(Optional.of("mobile"), inUse());
  }

  @Test
  void theMostRecentDeskPhoneOfTwoAndWithoutADeskPhoneTheLastUsed() {
    phones.put("desk2", Kind.DESK_PHONE);
    used("desk2", "desk-phone", 100);
    used("desk", "desk-phone", 200);
    assertEquals(Optional.of("desk2"), inUse());
    Map<String, Kind> noDesk = new LinkedHashMap<>();
    noDesk.put("laptop", Kind.SOFTPHONE);
    noDesk.put("mobile", Kind.MOBILE);
    used("laptop", "softphone", 5000);
    used("mobile", "mobile", 4000);
    assertEquals(Optional.of("mobile"), uses.inUse("bob", noDesk, NOW));
    assertEquals(Optional.empty(), uses.inUse("alice", noDesk, NOW), "nothing known: the caller's default");
  }

  @Test
  void classesFromTheUserAgent() {
    assertEquals(Kind.DESK_PHONE, DeviceClass.fromUserAgent("Yealink SIP-T54W 96.86.0.70"));
    assertEquals(Kind.DESK_PHONE, DeviceClass.fromUserAgent("PolycomVVX-VVX_101-UA/5.9.5.0614"));
    assertEquals(Kind.DESK_PHONE, DeviceClass.fromUserAgent("snomD785/10.1.73.16"));
    assertEquals(Kind.MOBILE, DeviceClass.fromUserAgent("LinphoneAndroid/5.1.0 (Pixel 7) LinphoneSDK/5.2.0"));
    assertEquals(Kind.MOBILE, DeviceClass.fromUserAgent("Linphone iOS 5.1"));
    assertEquals(Kind.SOFTPHONE, DeviceClass.fromUserAgent("baresip v3.10.1 (x86_64/linux)"));
    assertEquals(Kind.SOFTPHONE, DeviceClass.fromUserAgent(null));
    assertEquals(Kind.MOBILE, DeviceClass.of(Kind.MOBILE, "Yealink SIP-T54W"), "provisioning knows better");
  }
}
