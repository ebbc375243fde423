package io.switchboard.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.api.CallStateEvent;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The precedence rules of {@link Composer}, one by one, and the privacy rules of a profile. */
class ComposerTest {

  private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

  private static PresenceState state(boolean registered, PresenceState manual, CallStateEvent.State call) {
    ManualState m = manual == null ? null : new ManualState(manual, null, null);
    return Composer.compose(registered, m, call, NOW).state();
  }

  @Test
  void noDeviceNoCallIsOfflineWhateverWasSetByHand() {
    assertEquals(PresenceState.OFFLINE, state(false, null, null));
    assertEquals(PresenceState.OFFLINE, state(false, PresenceState.AWAY, CallStateEvent.State.IDLE));
    assertEquals(PresenceState.OFFLINE, state(false, PresenceState.DND, null));
  }

  @Test
  void dndBeatsOnThePhoneBeatsAwayBeatsAvailable() {
    assertEquals(PresenceState.DND, state(true, PresenceState.DND, CallStateEvent.State.IN_CALL));
    assertEquals(PresenceState.ON_THE_PHONE, state(true, PresenceState.AWAY, CallStateEvent.State.IN_CALL));
    assertEquals(PresenceState.ON_THE_PHONE, state(true, PresenceState.BUSY, CallStateEvent.State.ON_HOLD));
    assertEquals(PresenceState.AWAY, state(true, PresenceState.AWAY, CallStateEvent.State.IDLE));
    assertEquals(PresenceState.AVAILABLE, state(true, null, null));
  }

  @Test
  void aCallMakesSomeoneReachableEvenWithoutARegisteredDevice() {
    // Asterisk knows of the call; the phone may be registered with Asterisk only.
    assertEquals(PresenceState.ON_THE_PHONE, state(false, null, CallStateEvent.State.IN_CALL));
    assertEquals(PresenceState.RINGING, state(true, null, CallStateEvent.State.RINGING));
    assertEquals(PresenceState.ON_THE_PHONE, state(true, null, CallStateEvent.State.DIALING));
  }

  @Test
  void aManualStatePastItsEndCountsAsNone() {
    ManualState lunch = new ManualState(PresenceState.AWAY, "lunch", NOW.minusSeconds(1));
    assertEquals(PresenceState.AVAILABLE, Composer.compose(true, lunch, null, NOW).state());
    ManualState later = new ManualState(PresenceState.AWAY, "lunch", NOW.plusSeconds(60));
    PresenceView v = Composer.compose(true, later, null, NOW);
    assertEquals(PresenceState.AWAY, v.state());
    assertEquals("lunch", v.note());
  }

  @Test
  void aPublicationCountsWhileADeviceIsRegisteredClosedOrNot() {
    PresenceView dnd = new PresenceView(PresenceState.DND, "Do not disturb"); // Linphone's closed + away
    assertEquals(dnd, Composer.compose(true, null, null, dnd, NOW), "not available: the publication counts");
    assertEquals(PresenceView.OFFLINE, Composer.compose(true, null, null, PresenceView.OFFLINE, NOW),
        "a device that publishes offline while registered appears offline");
    assertEquals(PresenceState.ON_THE_PHONE, Composer.compose(true, null, CallStateEvent.State.IN_CALL, dnd, NOW).state(),
        "a call still beats a publication");
    assertEquals(PresenceState.AWAY,
        Composer.compose(true, new ManualState(PresenceState.AWAY, null, null), null, dnd, NOW).state(),
        "the state set by hand still beats a publication");
    assertEquals(PresenceState.OFFLINE, Composer.compose(false, null, null, PresenceView.OFFLINE, NOW).state());
  }

  @Test
  void rulesOwnRuleThenBuddiesThenEveryoneThenTheDefault() {
    PresenceProfile bob = PresenceProfile.empty("bob")
        .withBuddy(new PresenceProfile.Buddy("alice", "Team", "Alice"))
        .withRules(List.of(new Rule("alice", Rule.Action.POLITE_BLOCK), new Rule("*", Rule.Action.BLOCK)))
        .withBuddy(new PresenceProfile.Buddy("carol", null, null));
    assertEquals(Rule.Action.POLITE_BLOCK, bob.decide("alice", Rule.Action.CONFIRM), "own rule beats buddy");
    assertEquals(Rule.Action.ALLOW, bob.decide("carol", Rule.Action.CONFIRM), "buddies are allowed");
    assertEquals(Rule.Action.BLOCK, bob.decide("dave", Rule.Action.CONFIRM), "* for everyone else");
    assertEquals(Rule.Action.CONFIRM, PresenceProfile.empty("bob").decide("dave", Rule.Action.CONFIRM), "default");
    assertEquals(Rule.Action.ALLOW, bob.decide("bob", Rule.Action.BLOCK), "everyone sees themselves");
  }

  @Test
  void aRuleForAPendingWatcherSettlesIt() {
    PresenceProfile bob = PresenceProfile.empty("bob").withPending("dave", NOW).withPending("erin", NOW);
    PresenceProfile decided = bob.withRules(List.of(new Rule("dave", Rule.Action.ALLOW)));
    assertEquals(List.of("erin"), decided.pending().stream().map(PresenceProfile.Pending::watcher).toList());
  }
}
