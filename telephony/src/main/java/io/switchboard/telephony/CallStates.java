package io.switchboard.telephony;

import io.switchboard.api.CallStateEvent.State;
import io.switchboard.telephony.AmiEvent.ChannelEvent;
import io.switchboard.telephony.AmiEvent.DeviceStateChange;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Call state per device, built from AMI channel events. Each channel (a call leg, {@code
 * PJSIP/1002-00000001}) has a state of its own; a device ({@code PJSIP/1002}) shows the busiest of
 * its channels, by {@link #rank(State)}.
 *
 * <p>What each event does (AMI as the recordings under {@code src/test/resources/ami} show it):
 *
 * <table>
 *   <tr><th>event</th><th>effect</th></tr>
 *   <tr><td>Newchannel, Newstate, NewConnectedLine</td><td>channel known; state from {@code ChannelState}
 *       (see {@link ChannelState}); the other party from {@code ConnectedLineNum/Name}</td></tr>
 *   <tr><td>DialBegin / DialEnd</td><td>links the caller's and the callee's legs (the peer until a
 *       bridge says more)</td></tr>
 *   <tr><td>BridgeEnter / BridgeLeave</td><td>bridge membership: who talks with whom</td></tr>
 *   <tr><td>Hold / Unhold</td><td>raised on the channel of the party who pressed hold; it is the
 *       <em>other</em> channels of that bridge that are held, so their devices show ON_HOLD</td></tr>
 *   <tr><td>Hangup</td><td>the channel is gone</td></tr>
 *   <tr><td>DeviceStateChange</td><td>cross-check: ONHOLD marks the device's answered calls held
 *       (it belongs to the held party, as Hold's bridge peers do); a device Asterisk calls idle while
 *       we hold channels for it, or busy while we hold none, is reported by {@link #disagreements()}
 *       so the caller can resync (event order across kinds is not stable, so we never act on one
 *       such event alone)</td></tr>
 * </table>
 *
 * <p>Not thread-safe: one Vert.x context owns an instance. Pure: no I/O, no clock.
 */
final class CallStates {

  /** A device's resolved state as it would be published; {@code peer} is null when idle or unknown. */
  record DeviceView(String device, State state, String peer) {

    static DeviceView idle(String device) {
      return new DeviceView(device, State.IDLE, null);
    }
  }

  private static final class Channel {
    final String name;
    final String device;
    ChannelState state = ChannelState.DOWN;
    String callerIdNum;
    String connectedNum;
    String connectedName;
    /** The number the caller dialled, from a Newchannel in state Ring (the caller's leg only). */
    String dialled;
    String bridge;
    /** The other leg of a Dial, until hangup. */
    String dialPeer;
    /** This channel's party pressed hold: the others in its bridge are held. */
    boolean holding;

    Channel(String name, String device) {
      this.name = name;
      this.device = device;
    }
  }

  private final Map<String, Channel> channels = new HashMap<>();
  private final Map<String, Set<String>> channelsOfDevice = new HashMap<>();
  private final Map<String, Set<String>> bridges = new HashMap<>();
  private final Map<String, DeviceState> reported = new HashMap<>();
  /** Last resolved view per device; absent means idle. */
  private final Map<String, DeviceView> views = new HashMap<>();
  /** While a resync is in flight: channels born and gone since it was asked for. */
  private Set<String> bornSinceResync;
  private Set<String> goneSinceResync;

  /**
   * Busiest first: a user talking on one call while another rings is in a call; held on one call
   * while another rings is still on the phone. IN_CALL > ON_HOLD > RINGING > DIALING > IDLE.
   */
  static int rank(State state) {
    return switch (state) {
      case IDLE -> 0;
      case DIALING -> 1;
      case RINGING -> 2;
      case ON_HOLD -> 3;
      case IN_CALL -> 4;
    };
  }

  /**
   * The device of a channel: {@code PJSIP/1002-00000001} → {@code PJSIP/1002}. Null for channels
   * that are not a phone (Local/ legs, which carry {@code ;1}/{@code ;2}, and names without a tech).
   */
  static String deviceOf(String channel) {
    if (channel == null || channel.startsWith("Local/") || channel.indexOf(';') >= 0) {
      return null;
    }
    int slash = channel.indexOf('/');
    if (slash <= 0 || slash == channel.length() - 1) {
      return null;
    }
    int dash = channel.lastIndexOf('-');
    return dash > slash + 1 ? channel.substring(0, dash) : channel;
  }

  /** Applies one event; returns the devices whose view changed, in a stable order. */
  List<DeviceView> apply(AmiEvent event) {
    Set<String> dirty = new LinkedHashSet<>();
    if (event instanceof ChannelEvent e) {
      applyChannel(e, dirty);
    } else if (event instanceof DeviceStateChange d && d.device() != null) {
      reported.put(d.device(), d.state());
      dirty.add(d.device());
    }
    return resolve(dirty);
  }

  private void applyChannel(ChannelEvent e, Set<String> dirty) {
    switch (e.kind()) {
      case NEW_CHANNEL -> {
        Channel ch = create(e.channel());
        if (ch == null) {
          return;
        }
        if (bornSinceResync != null) {
          bornSinceResync.add(ch.name);
        }
        update(ch, e);
        if (ch.state == ChannelState.RING && known(e.exten()) && !"s".equals(e.exten())) {
          ch.dialled = e.exten();
        }
        touch(ch, dirty);
      }
      case NEW_STATE, NEW_CONNECTED_LINE, DIAL_END -> {
        // A Newstate for a channel we never saw (we connected mid-call) still tells us it exists.
        Channel ch = e.kind() == ChannelEvent.Kind.NEW_STATE ? create(e.channel()) : channels.get(e.channel());
        if (ch != null) {
          update(ch, e);
          touch(ch, dirty);
        }
      }
      case DIAL_BEGIN -> {
        // An Originate's first DialBegin names no caller channel: only the destination is known.
        Channel caller = e.channel() == null ? null : channels.get(e.channel());
        Channel dest = create(e.destChannel());
        if (caller != null) {
          update(caller, e);
          caller.dialPeer = e.destChannel();
          touch(caller, dirty);
        }
        if (dest != null) {
          dest.dialPeer = e.channel();
          touch(dest, dirty);
        }
      }
      case BRIDGE_ENTER -> {
        Channel ch = create(e.channel());
        if (ch == null || e.bridgeId() == null) {
          return;
        }
        leaveBridge(ch, dirty);
        update(ch, e);
        ch.bridge = e.bridgeId();
        bridges.computeIfAbsent(ch.bridge, b -> new LinkedHashSet<>()).add(ch.name);
        touch(ch, dirty);
      }
      case BRIDGE_LEAVE -> {
        Channel ch = channels.get(e.channel());
        if (ch != null) {
          leaveBridge(ch, dirty);
          touch(ch, dirty);
        }
      }
      case HOLD, UNHOLD -> {
        Channel ch = channels.get(e.channel());
        if (ch != null) {
          ch.holding = e.kind() == ChannelEvent.Kind.HOLD;
          touch(ch, dirty);
        }
      }
      case HANGUP -> {
        if (goneSinceResync != null && e.channel() != null) {
          goneSinceResync.add(e.channel());
        }
        Channel ch = channels.get(e.channel());
        if (ch != null) {
          touch(ch, dirty);
          remove(ch, dirty);
        }
      }
    }
  }

  /** Call before sending CoreShowChannels: from now on, births and deaths are remembered. */
  void resyncStarted() {
    bornSinceResync = new HashSet<>();
    goneSinceResync = new HashSet<>();
  }

  /** The list will not come (error, timeout, link lost): stop remembering births and deaths. */
  void resyncAbandoned() {
    bornSinceResync = null;
    goneSinceResync = null;
  }

  /**
   * Replaces what we know with what Asterisk listed, except channels born or gone after the list
   * was asked for (their events are newer than the list). Hold flags survive for channels that are
   * still there: the list does not show them. Returns the devices whose view changed.
   */
  List<DeviceView> resynced(Collection<ChannelSnapshot> listed) {
    Set<String> born = bornSinceResync == null ? Set.of() : bornSinceResync;
    Set<String> gone = goneSinceResync == null ? Set.of() : goneSinceResync;
    bornSinceResync = null;
    goneSinceResync = null;
    Set<String> dirty = new LinkedHashSet<>(views.keySet());
    Set<String> names = new HashSet<>();
    for (ChannelSnapshot s : listed) {
      names.add(s.channel());
    }
    for (Channel ch : new ArrayList<>(channels.values())) {
      if (!names.contains(ch.name) && !born.contains(ch.name)) {
        touch(ch, dirty);
        remove(ch, dirty);
      }
    }
    for (ChannelSnapshot s : listed) {
      if (gone.contains(s.channel())) {
        continue;
      }
      Channel ch = create(s.channel());
      if (ch == null) {
        continue;
      }
      ch.state = ChannelState.of(s.channelState());
      ch.callerIdNum = s.callerIdNum();
      if (known(s.connectedNum())) {
        ch.connectedNum = s.connectedNum();
      }
      if (known(s.connectedName())) {
        ch.connectedName = s.connectedName();
      }
      String bridge = known(s.bridgeId()) ? s.bridgeId() : null;
      if (!Objects.equals(bridge, ch.bridge)) {
        leaveBridge(ch, dirty);
        if (bridge != null) {
          ch.bridge = bridge;
          bridges.computeIfAbsent(bridge, b -> new LinkedHashSet<>()).add(ch.name);
        }
      }
      touch(ch, dirty);
    }
    // An ONHOLD from before the gap must not mark the device's next call held.
    reported.keySet().removeIf(device -> !channelsOfDevice.containsKey(device));
    return resolve(dirty);
  }

  /**
   * Devices where Asterisk's last DeviceStateChange contradicts the channels we hold: worth a
   * resync if it persists (one event alone proves nothing, as ordering across kinds is unstable).
   */
  Set<String> disagreements() {
    Set<String> out = new LinkedHashSet<>();
    reported.forEach((device, state) -> {
      Boolean busy = state.busy();
      if (busy != null && device.indexOf('/') > 0 && busy != channelsOfDevice.containsKey(device)) {
        out.add(device);
      }
    });
    return out;
  }

  /** The current view of a device (idle when unknown). */
  DeviceView view(String device) {
    return views.getOrDefault(device, DeviceView.idle(device));
  }

  /** Every device not idle. */
  Collection<DeviceView> busyDevices() {
    return List.copyOf(views.values());
  }

  int channelCount() {
    return channels.size();
  }

  // ---- internals -----------------------------------------------------------------------------

  private Channel create(String name) {
    Channel ch = channels.get(name);
    if (ch != null) {
      return ch;
    }
    String device = deviceOf(name);
    if (device == null) {
      return null;
    }
    ch = new Channel(name, device);
    channels.put(name, ch);
    channelsOfDevice.computeIfAbsent(device, d -> new LinkedHashSet<>()).add(name);
    return ch;
  }

  private void update(Channel ch, ChannelEvent e) {
    if (e.channelState() != null) {
      ch.state = ChannelState.of(e.channelState());
    }
    if (e.callerIdNum() != null) {
      ch.callerIdNum = e.callerIdNum();
    }
    if (known(e.connectedNum())) {
      ch.connectedNum = e.connectedNum();
    }
    if (known(e.connectedName())) {
      ch.connectedName = e.connectedName();
    }
  }

  private void leaveBridge(Channel ch, Set<String> dirty) {
    if (ch.bridge == null) {
      return;
    }
    Set<String> members = bridges.get(ch.bridge);
    if (members != null) {
      members.remove(ch.name);
      members.forEach(m -> dirty.add(channels.get(m).device));
      if (members.isEmpty()) {
        bridges.remove(ch.bridge);
      }
    }
    ch.bridge = null;
  }

  private void remove(Channel ch, Set<String> dirty) {
    leaveBridge(ch, dirty);
    channels.remove(ch.name);
    Set<String> ofDevice = channelsOfDevice.get(ch.device);
    if (ofDevice != null) {
      ofDevice.remove(ch.name);
      if (ofDevice.isEmpty()) {
        channelsOfDevice.remove(ch.device);
      }
    }
    if (ch.dialPeer != null) {
      Channel peer = channels.get(ch.dialPeer);
      if (peer != null && ch.name.equals(peer.dialPeer)) {
        peer.dialPeer = null;
      }
    }
  }

  /** Marks the channel's device and every device whose view may depend on this channel. */
  private void touch(Channel ch, Set<String> dirty) {
    dirty.add(ch.device);
    if (ch.bridge != null) {
      for (String m : bridges.getOrDefault(ch.bridge, Set.of())) {
        dirty.add(channels.get(m).device);
      }
    }
    Channel peer = ch.dialPeer == null ? null : channels.get(ch.dialPeer);
    if (peer != null) {
      dirty.add(peer.device);
    }
  }

  private List<DeviceView> resolve(Set<String> dirty) {
    List<DeviceView> changed = new ArrayList<>();
    for (String device : dirty) {
      DeviceView now = resolveDevice(device);
      DeviceView before = view(device);
      if (!now.equals(before)) {
        if (now.state() == State.IDLE) {
          views.remove(device);
        } else {
          views.put(device, now);
        }
        changed.add(now);
      }
    }
    return changed;
  }

  private DeviceView resolveDevice(String device) {
    DeviceView best = DeviceView.idle(device);
    boolean deviceOnHold = reported.get(device) == DeviceState.ONHOLD;
    for (String name : channelsOfDevice.getOrDefault(device, Set.of())) {
      Channel ch = channels.get(name);
      State s = ch.state.meaning();
      if (s == State.IN_CALL && (deviceOnHold || held(ch))) {
        s = State.ON_HOLD;
      }
      if (rank(s) > rank(best.state())) {
        best = new DeviceView(device, s, peerOf(ch));
      }
    }
    return best;
  }

  /** Held when another party in the same bridge (or, unbridged, the other Dial leg) pressed hold. */
  private boolean held(Channel ch) {
    if (ch.bridge != null) {
      for (String m : bridges.getOrDefault(ch.bridge, Set.of())) {
        if (!m.equals(ch.name) && channels.get(m).holding) {
          return true;
        }
      }
      return false;
    }
    Channel peer = ch.dialPeer == null ? null : channels.get(ch.dialPeer);
    return peer != null && peer.holding;
  }

  /** The other party as Asterisk names it: connected line, else the other Dial leg, else what was dialled. */
  private String peerOf(Channel ch) {
    if (ch.connectedNum != null) {
      return ch.connectedNum;
    }
    if (ch.connectedName != null) {
      return ch.connectedName;
    }
    Channel peer = ch.dialPeer == null ? null : channels.get(ch.dialPeer);
    if (peer != null && known(peer.callerIdNum)) {
      return peer.callerIdNum;
    }
    return ch.dialled;
  }

  /** Asterisk writes {@code <unknown>} (or nothing) where it does not know. */
  private static boolean known(String value) {
    return value != null && !value.isBlank() && !"<unknown>".equals(value);
  }
}
