package io.switchboard.core.device;

import io.switchboard.api.presence.DeviceUsed;
import io.switchboard.core.model.Device;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last use of each device of each user (from {@link DeviceUsed} events, which every node publishes on
 * the clustered bus, so each node that listens keeps the same) and the device in use:
 *
 * <ul>
 *   <li>every use within the active window was on a mobile or a softphone: the most recently used of
 *       those (the user is away from their desk, reachable there);</li>
 *   <li>otherwise (a use of the desk phone or the console within the window, or no recent use at all):
 *       the desk phone, the most recently used one first;</li>
 *   <li>no desk phone among the candidates: the most recently used candidate; none used: none (the
 *       caller's own default decides).</li>
 * </ul>
 *
 * Registering is not a use. Thread-safe; memory is one entry per device that was used.
 */
public final class DevicesInUse {

  /** One device's latest use. */
  public record Use(String device, Device.Kind kind, Instant at) {
  }

  private final Duration window;
  private final Map<String, Map<String, Use>> byUser = new ConcurrentHashMap<>();

  public DevicesInUse(Duration window) {
    this.window = window;
  }

  public Duration window() {
    return window;
  }

  /** Keeps the use unless a later one of the same device is known. */
  public void used(DeviceUsed e) {
    Device.Kind kind = e.kind() == null ? null : Device.Kind.fromWire(e.kind());
    Use use = new Use(e.device(), kind == null ? Device.Kind.SOFTPHONE : kind, Instant.ofEpochMilli(e.at()));
    byUser.computeIfAbsent(e.username(), u -> new ConcurrentHashMap<>())
        .merge(e.device(), use, (old, now) -> now.at().isBefore(old.at()) ? old : now);
  }

  /** The user's devices' latest uses, by device. */
  public Map<String, Use> uses(String username) {
    Map<String, Use> uses = byUser.get(username);
    return uses == null ? Map.of() : Map.copyOf(uses);
  }

  /**
   * The device in use among the candidates (in the caller's order of preference, with the class the
   * caller knows for each), by the rule above.
   */
  public Optional<String> inUse(String username, Map<String, Device.Kind> candidates, Instant now) {
    return choose(uses(username), candidates, now, window);
  }

  /** Pure: the rule of the class, for the user's uses. */
  public static Optional<String> choose(Map<String, Use> uses, Map<String, Device.Kind> candidates, Instant now,
      Duration window) {
    if (uses.isEmpty()) {
      // The rule below when nothing was used: the first desk phone in the caller's order, else none. Every
      // MESSAGE to a user with several devices asks, and most users are never seen using one: no streams.
      for (Map.Entry<String, Device.Kind> c : candidates.entrySet()) {
        if (c.getValue() == Device.Kind.DESK_PHONE) {
          return Optional.of(c.getKey());
        }
      }
      return Optional.empty();
    }
    Instant since = now.minus(window);
    List<Use> recent = uses.values().stream().filter(u -> !u.at().isBefore(since))
        .sorted(Comparator.comparing(Use::at).reversed()).toList();
    boolean awayFromDesk = !recent.isEmpty() && recent.stream().allMatch(u -> awayFromDesk(u, candidates));
    if (awayFromDesk) {
      Optional<String> portable = recent.stream().map(Use::device).filter(candidates::containsKey).findFirst();
      if (portable.isPresent()) {
        return portable;
      }
    }
    Comparator<String> lastUsedFirst = Comparator.comparing((String d) -> uses.containsKey(d) ? uses.get(d).at()
        : Instant.MIN).reversed();
    List<String> desk = candidates.entrySet().stream().filter(c -> c.getValue() == Device.Kind.DESK_PHONE)
        .map(Map.Entry::getKey).toList();
    if (!desk.isEmpty()) {
      return desk.stream().sorted(lastUsedFirst).findFirst(); // stable: unused ones keep the caller's order
    }
    return candidates.keySet().stream().filter(uses::containsKey).sorted(lastUsedFirst).findFirst();
  }

  /** A use of a mobile or a softphone: the user may be away from their desk. */
  private static boolean awayFromDesk(Use u, Map<String, Device.Kind> candidates) {
    Device.Kind k = candidates.getOrDefault(u.device(), u.kind());
    return k == Device.Kind.MOBILE || k == Device.Kind.SOFTPHONE;
  }
}
