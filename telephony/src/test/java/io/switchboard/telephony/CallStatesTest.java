package io.switchboard.telephony;

import static io.switchboard.api.CallStateEvent.State.DIALING;
import static io.switchboard.api.CallStateEvent.State.IDLE;
import static io.switchboard.api.CallStateEvent.State.IN_CALL;
import static io.switchboard.api.CallStateEvent.State.ON_HOLD;
import static io.switchboard.api.CallStateEvent.State.RINGING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.telephony.AmiEvent.ChannelEvent;
import io.switchboard.telephony.AmiEvent.ChannelEvent.Kind;
import io.switchboard.telephony.AmiEvent.DeviceStateChange;
import io.switchboard.telephony.CallStates.DeviceView;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The call-state machine on its own: no sockets, no Vert.x. Channel names as Asterisk 22 writes them. */
class CallStatesTest {

  private final CallStates states = new CallStates();

  private static ChannelEvent ev(Kind kind, String channel, Integer state, String connected) {
    return new ChannelEvent(kind, channel, state, null, connected, null, null, null, null, null);
  }

  private static ChannelEvent bridge(Kind kind, String channel, String bridgeId) {
    return new ChannelEvent(kind, channel, 6, null, null, null, null, null, bridgeId, null);
  }

  @Test
  void devicesAreChannelsWithoutTheirSequenceNumber() {
    assertEquals("PJSIP/1002", CallStates.deviceOf("PJSIP/1002-00000001"));
    assertEquals("PJSIP/alice-desk", CallStates.deviceOf("PJSIP/alice-desk-0000000a"));
    assertEquals("SIP/1002", CallStates.deviceOf("SIP/1002-0000abcd"));
    assertNull(CallStates.deviceOf("Local/1002@internal-00000001;1"), "Local legs are not phones");
    assertNull(CallStates.deviceOf(null));
    assertNull(CallStates.deviceOf("garbage"));
  }

  @Test
  void aDeviceShowsItsBusiestChannel() {
    states.apply(ev(Kind.NEW_CHANNEL, "PJSIP/1001-00000001", 6, "1002"));
    List<DeviceView> changed = states.apply(ev(Kind.NEW_CHANNEL, "PJSIP/1001-00000002", 5, "1003"));

    assertEquals(List.of(), changed, "a second call ringing does not change a user who is talking");
    assertEquals(new DeviceView("PJSIP/1001", IN_CALL, "1002"), states.view("PJSIP/1001"));

    changed = states.apply(ev(Kind.HANGUP, "PJSIP/1001-00000001", 6, null));
    assertEquals(List.of(new DeviceView("PJSIP/1001", RINGING, "1003")), changed);
    assertEquals(IDLE, states.apply(ev(Kind.HANGUP, "PJSIP/1001-00000002", 5, null)).get(0).state());
  }

  @Test
  void holdIsShownOnTheOtherPartyOfTheBridge() {
    states.apply(ev(Kind.NEW_CHANNEL, "PJSIP/1001-00000005", 6, "1002"));
    states.apply(ev(Kind.NEW_CHANNEL, "PJSIP/1002-00000006", 6, "1001"));
    states.apply(bridge(Kind.BRIDGE_ENTER, "PJSIP/1001-00000005", "b1"));
    states.apply(bridge(Kind.BRIDGE_ENTER, "PJSIP/1002-00000006", "b1"));

    List<DeviceView> changed = states.apply(ev(Kind.HOLD, "PJSIP/1001-00000005", 6, null));
    assertEquals(List.of(new DeviceView("PJSIP/1002", ON_HOLD, "1001")), changed);
    assertEquals(IN_CALL, states.view("PJSIP/1001").state(), "who pressed hold is still on the phone");

    // The holder leaving the bridge releases the held party too.
    changed = states.apply(bridge(Kind.BRIDGE_LEAVE, "PJSIP/1001-00000005", "b1"));
    assertEquals(List.of(new DeviceView("PJSIP/1002", IN_CALL, "1001")), changed);
  }

  @Test
  void asteriskOnHoldCountsUntilItSaysOtherwise() {
    states.apply(ev(Kind.NEW_CHANNEL, "PJSIP/1002-00000006", 6, "1001"));
    assertEquals(ON_HOLD, states.apply(new DeviceStateChange("PJSIP/1002", DeviceState.ONHOLD)).get(0).state());
    assertEquals(IN_CALL, states.apply(new DeviceStateChange("PJSIP/1002", DeviceState.INUSE)).get(0).state());
  }

  @Test
  void disagreementsWithAsteriskAreReportedNotActedOn() {
    states.apply(ev(Kind.NEW_CHANNEL, "PJSIP/1001-00000001", 4, null));
    // ExtensionStatus/DeviceStateChange may run ahead of the Hangup: nothing changes on it alone.
    assertEquals(List.of(), states.apply(new DeviceStateChange("PJSIP/1001", DeviceState.NOT_INUSE)));
    assertEquals(DIALING, states.view("PJSIP/1001").state());
    assertEquals(Set.of("PJSIP/1001"), states.disagreements());

    states.apply(ev(Kind.HANGUP, "PJSIP/1001-00000001", 4, null));
    assertTrue(states.disagreements().isEmpty());

    states.apply(new DeviceStateChange("Queue:support_avail", DeviceState.INUSE));
    assertTrue(states.disagreements().isEmpty(), "only phones are cross-checked");
  }

  @Test
  void aResyncKeepsWhatHappenedAfterTheListWasAskedFor() {
    states.apply(ev(Kind.NEW_CHANNEL, "PJSIP/1001-00000001", 6, "1002"));
    states.apply(ev(Kind.NEW_CHANNEL, "PJSIP/1003-00000003", 6, "1004"));
    states.resyncStarted();
    states.apply(ev(Kind.NEW_CHANNEL, "PJSIP/1002-00000002", 5, "1004"));
    states.apply(ev(Kind.HANGUP, "PJSIP/1003-00000003", 6, null));

    // The list predates both events: it still shows 1003's channel and not 1002's.
    List<DeviceView> changed = states.resynced(List.of(
        new ChannelSnapshot("PJSIP/1003-00000003", 6, "1003", "1004", null, null),
        new ChannelSnapshot("PJSIP/1004-00000009", 6, "1004", "1005", null, null)));

    assertEquals(List.of(new DeviceView("PJSIP/1001", IDLE, null), new DeviceView("PJSIP/1004", IN_CALL, "1005")),
        changed);
    assertEquals(RINGING, states.view("PJSIP/1002").state(), "born after the list was asked for");
    assertEquals(IDLE, states.view("PJSIP/1003").state(), "gone after the list was asked for");
  }
}
