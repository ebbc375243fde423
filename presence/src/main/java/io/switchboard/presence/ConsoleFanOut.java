package io.switchboard.presence;

import io.switchboard.core.bus.EventAddresses;
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
  /**
   * What each console watcher may see of each buddy, as last told (or as the buddy list showed it):
   * "watcher|presentity" → view; no entry while they may see nothing. Known from start, so that a
   * restart does not make the first change of a steady view news.
   */
  private final Map<String, PresenceView> shown = new HashMap<>();

  ConsoleFanOut(Vertx vertx, WatcherIndex index, Composition composition) {
    this.vertx = vertx;
    this.index = index;
    this.composition = composition;
  }

  /** Notes, without telling anyone, what the watcher is shown of a buddy now (at start). */
  void prime(String watcher, String presentity) {
    shownChanged(watcher, presentity);
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
    PresenceView before = view == null ? shown.remove(key) : shown.put(key, view);
    return !Objects.equals(view, before);
  }

  private static String key(String watcher, String presentity) {
    return watcher + "|" + presentity;
  }
}
