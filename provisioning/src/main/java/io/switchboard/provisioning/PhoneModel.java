package io.switchboard.provisioning;

import io.switchboard.core.model.Device;
import io.switchboard.core.model.User;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a phone-file template sees. Pure: the device, its user, the user's buddies and where the
 * servers are, in; the template's scope (a map, so that operators' templates name plain keys) out.
 *
 * <p>Keys: {@code username, displayName, deviceId, mac, model, endpoint, sipSecret, domain,
 * asteriskHost, asteriskPort, imHost, imPort, voicemail, configFiles} and {@code blf}, a list with
 * per key {@code n} (1-based), {@code n0} (0-based), {@code plk} (Cisco line key, n + 1: key 1 and 2
 * hold the accounts), {@code label}, {@code value} (extension, else username), {@code username} and
 * Grandstream's P-value numbers {@code gsMode, gsAccount, gsName, gsValue}.
 */
public final class PhoneModel {

  /** Where the phone's servers are. */
  public record Servers(String domain, String asteriskHost, int asteriskPort, String imHost, int imPort,
      String voicemail) {
  }

  /** A buddy as a BLF key shows it. */
  public record Buddy(String username, String label, String extension) {
  }

  /** Phones have few programmable keys; more buddies than this get none. */
  static final int MAX_BLF_KEYS = 30;

  private PhoneModel() {
  }

  public static Map<String, Object> of(Device device, User user, List<Buddy> buddies, Servers servers) {
    Map<String, Object> m = new HashMap<>();
    m.put("username", user.username());
    m.put("displayName", user.displayName() == null ? user.username() : user.displayName());
    m.put("deviceId", device.id());
    m.put("mac", device.mac() == null ? "" : device.mac());
    m.put("model", device.model() == null ? "" : device.model());
    m.put("endpoint", device.endpoint());
    m.put("sipSecret", device.sipSecret());
    m.put("domain", servers.domain());
    m.put("asteriskHost", servers.asteriskHost());
    m.put("asteriskPort", servers.asteriskPort());
    m.put("imHost", servers.imHost());
    m.put("imPort", servers.imPort());
    m.put("voicemail", servers.voicemail());
    m.put("configFiles", device.mac() == null ? "phone-[PHONE_MAC_ADDRESS].cfg" : "phone-" + device.mac() + ".cfg");
    List<Map<String, Object>> blf = new ArrayList<>();
    if (device.profile().blf()) {
      for (Buddy b : buddies) {
        if (blf.size() == MAX_BLF_KEYS) {
          break;
        }
        int n = blf.size() + 1;
        Map<String, Object> key = new HashMap<>();
        key.put("n", n);
        key.put("n0", n - 1);
        key.put("plk", n + 2);
        key.put("username", b.username());
        key.put("label", b.label() == null ? b.username() : b.label());
        key.put("value", b.extension() == null ? b.username() : b.extension());
        // Grandstream multi-purpose keys: mode P323.., account/name/value P301.. in threes.
        key.put("gsMode", 322 + n);
        key.put("gsAccount", 301 + 3 * (n - 1));
        key.put("gsName", 302 + 3 * (n - 1));
        key.put("gsValue", 303 + 3 * (n - 1));
        blf.add(key);
      }
    }
    m.put("blf", blf);
    return m;
  }

  /** A model without a device, for common files (no secrets in them). */
  public static Map<String, Object> common(String mac, String model) {
    Map<String, Object> m = new HashMap<>();
    m.put("mac", mac == null ? "" : mac);
    m.put("model", model == null ? "" : model);
    m.put("configFiles", mac == null ? "phone-[PHONE_MAC_ADDRESS].cfg" : "phone-" + mac + ".cfg");
    m.put("blf", List.of());
    return m;
  }
}
