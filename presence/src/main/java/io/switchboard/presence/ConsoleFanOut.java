package io.switchboard.presence;

import io.switchboard.api.EventAddresses;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The web consoles' side of the fan-out: each user with a presentity on their buddy list (found in
 * the {@link WatcherIndex}, not by reading every profile) hears what they may now see of it, as a
 * {@code PRESENCE_UPDATE} event, only when that view changed. SIP context only.
 */
final class ConsoleFanOut {

  private final Vertx vertx;
  private final WatcherIndex index;
  private final Composition composition;
  /** Stands for "told nothing" (blocked or pending) in {@link #shown}; no entry means not known. */
  private static final PresenceView NOTHING = new PresenceView(PresenceState.OFFLINE, "nothing");

  /**
   * What a console watcher was last told of a buddy, "watcher|presentity" → view ({@link #NOTHING}
   * while they may see nothing), only for the pairs touched since start: priming all of them at start
   * took 1,000,000 entries and minutes of the SIP context for 100,000 users with 10 buddies each. A pair
   * not known yet counts as shown what its rule shows whatever the presentity does (nothing when blocked
   * or pending, offline when polite-blocked), so that a restart makes none of those news; an allowed
   * watcher may hear the first change after a restart even when their view did not change.
   */
  private final Map<String, PresenceView> shown = new HashMap<>();

  ConsoleFanOut(Vertx vertx, WatcherIndex index, Composition composition) {
    this.vertx = vertx;
    this.index = index;
    this.composition = composition;
  }

  /**
   * Notes, without telling anyone, what each console watcher of the presentity is shown now: call it
   * before a change of the presentity's rules or buddies, whose effect on each watcher's view (allowed
   * before, polite-blocked after, say) must be judged against what they saw before it.
   */
  void remember(String presentity) {
    for (String watcher : index.buddyWatchersOf(presentity)) {
      shown.computeIfAbsent(key(watcher, presentity), k -> orNothing(composition.viewFor(presentity, watcher)));
    }
  }

  /** Every user with {@code presentity} on their buddy list hears what they may now see of it. */
  void publishFor(String presentity) {
    for (String watcher : index.buddyWatchersOf(presentity)) {
      publish(watcher, presentity);
    }
  }

  /** The watcher hears what they may now see of one buddy, if that changed. */
  void publish(String watcher, String presentity) {
    if (!shownChanged(watcher, presentity)) {
      return;
    }
    PresenceView view = shown.get(key(watcher, presentity));
    view = view == NOTHING ? null : view;
    vertx.eventBus().publish(EventAddresses.PRESENCE_UPDATE, new JsonObject().put("watcher", watcher)
        .put("presentity", presentity).put("presence", composition.json(presentity, view == null ? PresenceView.OFFLINE : view)));
  }

  /**
   * Notes what a console watcher may now see of a presentity and tells whether that changed: as for
   * SIP, only a change of the watcher's own view is news. Nothing (null, no entry) while pending or
   * blocked, so those hear nothing, not even when a buddy is added; offline for polite-block.
   */
  private boolean shownChanged(String watcher, String presentity) {
    String key = key(watcher, presentity);
    PresenceView view = composition.viewFor(presentity, watcher);
    PresenceView before = shown.put(key, orNothing(view));
    if (before == null) {
      return switch (composition.decide(presentity, watcher)) {
        case ALLOW -> true; // not known what they were shown: tell them
        case POLITE_BLOCK, BLOCK, CONFIRM -> false; // the same whatever the presentity does
      };
    }
    return !Objects.equals(orNothing(view), before);
  }

  private static PresenceView orNothing(PresenceView view) {
    return view == null ? NOTHING : view;
  }

  private static String key(String watcher, String presentity) {
    return watcher + "|" + presentity;
  }
}
