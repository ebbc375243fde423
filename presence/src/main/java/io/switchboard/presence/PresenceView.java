package io.switchboard.presence;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * One presentity's presence as one watcher is allowed to see it.
 *
 * @param note free text: the user's own note, or one Switchboard adds ("On the phone")
 * @param devices the presentity's devices, the one in use first; empty when unknown (a publication,
 *     offline, or what a polite-blocked watcher sees)
 */
public record PresenceView(PresenceState state, String note, List<DeviceTuple> devices) {

  public static final PresenceView OFFLINE = new PresenceView(PresenceState.OFFLINE, null);

  public PresenceView {
    devices = devices == null ? List.of() : List.copyOf(devices);
  }

  public PresenceView(PresenceState state, String note) {
    this(state, note, List.of());
  }

  /** This presence on these devices. */
  public PresenceView withDevices(List<DeviceTuple> on) {
    return new PresenceView(state, note, on);
  }

  /** The class of the device in use (desk-phone, mobile, softphone, web), or null when none is known. */
  public String device() {
    return devices.stream().filter(DeviceTuple::inUse).findFirst().map(d -> d.kind().wireName()).orElse(null);
  }

  /** PIDF basic status: open unless offline. */
  public boolean open() {
    return state != PresenceState.OFFLINE;
  }

  /** As the bus contract carries it. */
  public io.switchboard.api.presence.PresenceStatus toStatus() {
    return new io.switchboard.api.presence.PresenceStatus(state.wireName(), note, device());
  }

  public JsonObject toJson() {
    return toStatus().toJson();
  }
}
