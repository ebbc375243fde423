package io.switchboard.presence;

import io.switchboard.api.CallStateEvent;
import io.switchboard.core.device.DeviceClass;
import io.switchboard.core.device.DeviceUses;
import io.switchboard.core.device.DevicesInUse;
import io.switchboard.core.model.Device;
import io.switchboard.core.sip.Binding;
import io.switchboard.core.sip.LocationService;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Each presentity's presence, composed once per change from its sources (registered devices, open
 * consoles, publications, the state set by hand, call state), with its devices and the device in use
 * ({@link DeviceTuple}), and what each watcher may see of it.
 * The documents that show it (PIDF and the older presence formats, dialog-info, console JSON) are
 * rendered once per change and per view (format and what the watcher may see), and shared by every
 * watcher with that view. {@link #forget} after every change. SIP context only.
 */
final class Composition {

  private final LocationService location;
  private final Profiles profiles;
  private final Publications publications;
  private final Clock clock;
  private final String domain;
  private final Set<String> consoles = new HashSet<>();
  private final Map<String, CallStateEvent.State> calls = new HashMap<>();
  /** Who is in each room's conference call (telephony's ConferenceState): shown in a meeting. */
  private final Map<String, Set<String>> meetingOfRoom = new HashMap<>();
  private final Map<String, PresenceView> composed = new HashMap<>();
  /** Per presentity, per view (a PresenceView or a call state) and format: the document, rendered once. */
  private final Map<String, Map<Object, Object>> rendered = new HashMap<>();
  /** The last use of each device, for the device in use (every node's DEVICE_USED). */
  private final DevicesInUse inUse;
  /** Each registered device's class as looked up (its provisioned kind, or as last reported); else its User-Agent's. */
  private final Map<String, Device.Kind> kinds = new HashMap<>();

  Composition(LocationService location, Profiles profiles, Publications publications, Clock clock, String domain) {
    this(location, profiles, publications, clock, domain, new DevicesInUse(java.time.Duration.ofSeconds(600)));
  }

  Composition(LocationService location, Profiles profiles, Publications publications, Clock clock, String domain,
      DevicesInUse inUse) {
    this.inUse = inUse;
    this.location = location;
    this.profiles = profiles;
    this.publications = publications;
    this.clock = clock;
    this.domain = domain;
  }

  String uriOf(String username) {
    return "sip:" + username + "@" + domain;
  }

  /** A web console opened or closed: like a registered phone. True when that is news. */
  boolean console(String username, boolean online) {
    return online ? consoles.add(username) : consoles.remove(username);
  }

  void call(String username, CallStateEvent.State state) {
    calls.put(username, state);
  }

  /**
   * A room's conference changed: its members now ({@code active} false: nobody). Returns the users
   * whose meeting state changed.
   */
  Set<String> conference(String room, boolean active, java.util.List<String> members) {
    Set<String> before = inMeetings();
    if (active && !members.isEmpty()) {
      meetingOfRoom.put(room, Set.copyOf(members));
    } else {
      meetingOfRoom.remove(room);
    }
    Set<String> after = inMeetings();
    Set<String> changed = new HashSet<>(before);
    changed.addAll(after);
    changed.removeIf(u -> before.contains(u) == after.contains(u));
    return changed;
  }

  private Set<String> inMeetings() {
    Set<String> all = new HashSet<>();
    meetingOfRoom.values().forEach(all::addAll);
    return all;
  }

  private boolean inMeeting(String username) {
    for (Set<String> members : meetingOfRoom.values()) {
      if (members.contains(username)) {
        return true;
      }
    }
    return false;
  }

  CallStateEvent.State call(String username) {
    return calls.getOrDefault(username, CallStateEvent.State.IDLE);
  }

  /** The presentity's sources changed: compose and render again when next asked. */
  void forget(String username) {
    composed.remove(username);
    rendered.remove(username);
  }

  /** The presentity's own, unfiltered presence: composed once per change, not once per watcher. */
  PresenceView compose(String username) {
    PresenceView view = composed.get(username);
    if (view == null) {
      boolean registered = consoles.contains(username) || !location.bindings(username).isEmpty();
      view = Composer.compose(registered, profiles.of(username).manual(), calls.get(username),
          publications.latest(username), clock.instant());
      // In a conference call: in a meeting (RPID "meeting"), unless do-not-disturb says more.
      if (inMeeting(username) && view.state() != PresenceState.DND && view.state() != PresenceState.OFFLINE) {
        view = new PresenceView(PresenceState.IN_MEETING, "In a meeting");
      }
      if (view.open()) {
        view = view.withDevices(devices(username));
      }
      composed.put(username, view);
    }
    return view;
  }

  /** A device's class is known (looked up, or reported with a use). */
  void kind(String device, Device.Kind kind) {
    kinds.put(device, kind);
  }

  boolean knowsKind(String device) {
    return kinds.containsKey(device);
  }

  /**
   * The presentity's registered devices and open console, one tuple each, the device in use first
   * (then in the order they registered).
   */
  private List<DeviceTuple> devices(String username) {
    Map<String, Device.Kind> candidates = new LinkedHashMap<>();
    for (Binding b : location.bindings(username)) {
      String id = DeviceUses.idOf(b);
      candidates.putIfAbsent(id, kinds.getOrDefault(id, DeviceClass.fromUserAgent(b.userAgent())));
    }
    if (consoles.contains(username)) {
      candidates.put(DeviceUses.CONSOLE, Device.Kind.WEB);
    }
    String used = inUse.inUse(username, candidates, clock.instant()).orElse(null);
    List<DeviceTuple> tuples = new ArrayList<>(candidates.size());
    candidates.forEach((id, kind) -> {
      DeviceTuple t = new DeviceTuple(id, kind, id.equals(used));
      if (t.inUse()) {
        tuples.add(0, t);
      } else {
        tuples.add(t);
      }
    });
    return tuples;
  }

  /** The presentity's rule for this watcher, as {@link #viewFor} applies it. */
  Rule.Action decide(String presentity, String watcher) {
    return profiles.decide(presentity, watcher);
  }

  /** What this watcher may see, or null when nothing (blocked, or waiting for confirmation). */
  PresenceView viewFor(String presentity, String watcher) {
    return viewUnder(presentity, profiles.decide(presentity, watcher));
  }

  /** What a watcher the presentity's rules give {@code action} may see: the same for every such watcher. */
  PresenceView viewUnder(String presentity, Rule.Action action) {
    return switch (action) {
      case ALLOW -> compose(presentity);
      case POLITE_BLOCK -> PresenceView.OFFLINE;
      case BLOCK, CONFIRM -> null;
    };
  }

  /** The call state this watcher's BLF key may show, or null when nothing; idle when polite-blocked. */
  CallStateEvent.State callFor(String presentity, String watcher) {
    return callUnder(presentity, profiles.decide(presentity, watcher));
  }

  /** As {@link #callFor}, for every watcher the presentity's rules give {@code action}. */
  CallStateEvent.State callUnder(String presentity, Rule.Action action) {
    return switch (action) {
      case ALLOW -> call(presentity);
      case POLITE_BLOCK -> CallStateEvent.State.IDLE;
      case BLOCK, CONFIRM -> null;
    };
  }

  /** The PIDF document of this view of the presentity, rendered once per change. */
  Rendered pidf(String presentity, PresenceView view) {
    return presence(presentity, view, PresenceFormat.PIDF);
  }

  /** This view of the presentity in one format (PIDF, reduced PIDF, cpim-pidf, XPIDF), rendered once per change. */
  Rendered presence(String presentity, PresenceView view, PresenceFormat format) {
    return (Rendered) cached(presentity, new Key(format, view),
        () -> Rendered.whole(format.render(presentity, uriOf(presentity), view)));
  }

  /** The dialog-info document of this call state of the presentity, its version left to each subscription. */
  Rendered dialog(String presentity, CallStateEvent.State call) {
    return (Rendered) cached(presentity, new Key("dialog", call), () -> DialogInfo.template(uriOf(presentity), call));
  }

  /** The console's JSON of this view of the presentity (shared: the event bus copies it per consumer). */
  JsonObject json(String presentity, PresenceView view) {
    return (JsonObject) cached(presentity, new Key("json", view), view::toJson);
  }

  private record Key(Object format, Object view) {
  }

  private Object cached(String presentity, Key key, java.util.function.Supplier<Object> render) {
    return rendered.computeIfAbsent(presentity, p -> new HashMap<>()).computeIfAbsent(key, k -> render.get());
  }
}
