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
 * asteriskHost, asteriskPort, imHost, imPort, imTls, trustUrl, caCert, voicemail, configFiles}, the
 * backup servers' keys ({@link #putBackups}) and {@code blf}, a list with
 * per key {@code n} (1-based), {@code n0} (0-based), {@code plk} (Cisco line key, n + 1: key 1 and 2
 * hold the accounts), {@code label}, {@code value} (extension, else username), {@code username} and
 * Grandstream's P-value numbers {@code gsMode, gsAccount, gsName, gsValue} (only where {@code gs}
 * is true: Grandstream has 18 such keys, see {@link #grandstreamKey}); {@code buddyListUri}, the user's
 * buddy list as one RFC 4662 list URI, with the BLF keys (absent without them).
 */
public final class PhoneModel {

  /**
   * Where the phone's servers are. With {@code imTls} the Switchboard account uses TLS on
   * {@code imPort} (then {@code sip.tls-port}) and trusts {@code caCert} (PEM), which phones that
   * fetch certificates download from {@code trustUrl}. {@code backups}: other nodes of the cluster
   * for the Switchboard account, in order, over the same transport; with them the account's
   * registration interval is {@code registerInterval} seconds (see {@link BackupServers}).
   */
  public record Servers(String domain, String asteriskHost, int asteriskPort, String imHost, int imPort,
      String voicemail, boolean imTls, String trustUrl, String caCert, List<Server> backups, int registerInterval) {

    /** Switchboard's account in clear text (UDP or TCP). */
    public Servers(String domain, String asteriskHost, int asteriskPort, String imHost, int imPort, String voicemail) {
      this(domain, asteriskHost, asteriskPort, imHost, imPort, voicemail, false, "", "");
    }

    /** Without backup servers. */
    public Servers(String domain, String asteriskHost, int asteriskPort, String imHost, int imPort,
        String voicemail, boolean imTls, String trustUrl, String caCert) {
      this(domain, asteriskHost, asteriskPort, imHost, imPort, voicemail, imTls, trustUrl, caCert, List.of(), 0);
    }

    /** The same, trusting the certificate as it is now (it is re-read on reloads). */
    public Servers withCaCert(String pem) {
      return new Servers(domain, asteriskHost, asteriskPort, imHost, imPort, voicemail, imTls, trustUrl, pem, backups,
          registerInterval);
    }

    /** The same with backup servers for the Switchboard account, registered for {@code seconds} at a time. */
    public Servers withBackups(List<Server> servers, int seconds) {
      return new Servers(domain, asteriskHost, asteriskPort, imHost, imPort, voicemail, imTls, trustUrl, caCert,
          List.copyOf(servers), seconds);
    }
  }

  /** A SIP server as the phone reaches it. */
  public record Server(String host, int port) {

    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  /** A buddy as a BLF key shows it. */
  public record Buddy(String username, String label, String extension) {
  }

  /** Phones have few programmable keys; more buddies than this get none. */
  static final int MAX_BLF_KEYS = 30;

  private PhoneModel() {
  }

  /** With the buddy list's URI under the default {@code presence.list-uri-pattern}. */
  public static Map<String, Object> of(Device device, User user, List<Buddy> buddies, Servers servers) {
    return of(device, user, buddies, servers,
        io.switchboard.core.config.SwitchboardConfig.Presence.DEFAULT_LIST_URI_PATTERN.replace("{user}", user.username()));
  }

  /**
   * @param buddyListUser the user part of the user's buddy list URI (RFC 4662, {@code presence.list-uri-pattern}):
   *     with BLF keys on, {@code buddyListUri} is {@code sip:<it>@<domain>}, each vendor's BLF-list setting
   */
  public static Map<String, Object> of(Device device, User user, List<Buddy> buddies, Servers servers,
      String buddyListUser) {
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
    m.put("imTls", servers.imTls());
    m.put("trustUrl", servers.trustUrl());
    m.put("caCert", servers.caCert());
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
        key.putAll(grandstreamKey(n));
        blf.add(key);
      }
    }
    m.put("blf", blf);
    if (device.profile().blf()) {
      m.put("buddyListUri", "sip:" + buddyListUser + "@" + servers.domain());
    }
    putBackups(m, servers);
    return m;
  }

  /**
   * {@code backup} (the first backup server: {@code host, port}; absent without one, so that a
   * {@code {{#backup}}} section writes nothing and the file is as on a single node), {@code backups}
   * (all of them, each with {@code n}, the phone's server number from 2), {@code registerInterval}
   * (seconds) and {@code registerMinutes} (rounded up, for phones that count in minutes).
   */
  private static void putBackups(Map<String, Object> m, Servers servers) {
    List<Map<String, Object>> backups = new ArrayList<>();
    for (Server s : servers.backups()) {
      Map<String, Object> b = new HashMap<>();
      b.put("n", backups.size() + 2);
      b.put("host", s.host());
      b.put("port", s.port());
      backups.add(b);
    }
    m.put("backups", backups);
    if (!backups.isEmpty()) {
      m.put("backup", backups.get(0));
      m.put("registerInterval", servers.registerInterval());
      m.put("registerMinutes", (servers.registerInterval() + 59) / 60);
    }
  }

  /** Grandstream has P-values for this many multi-purpose keys (GXP21xx); further buddies get none there. */
  static final int GRANDSTREAM_KEYS = 18;

  /**
   * Grandstream's P-value numbers of multi-purpose key {@code n} (1-based), as its configuration
   * template lists them: keys 1 to 7 have their mode at P323..P329 and account, name and value in
   * threes from P301 (key 7: P319..P321); keys 8 to 18 have mode, account, name and value in fours
   * from P353 (key 8: P353..P356, key 18: P393..P396). Counting on in threes past key 7 would land on
   * P322.. and overwrite key 1's mode: the two ranges are separate. Beyond key 18: {@code gs} false.
   */
  static Map<String, Object> grandstreamKey(int n) {
    Map<String, Object> key = new HashMap<>();
    key.put("gs", n <= GRANDSTREAM_KEYS);
    if (n <= 7) {
      key.put("gsMode", 322 + n);
      key.put("gsAccount", 301 + 3 * (n - 1));
      key.put("gsName", 302 + 3 * (n - 1));
      key.put("gsValue", 303 + 3 * (n - 1));
    } else if (n <= GRANDSTREAM_KEYS) {
      int base = 353 + 4 * (n - 8);
      key.put("gsMode", base);
      key.put("gsAccount", base + 1);
      key.put("gsName", base + 2);
      key.put("gsValue", base + 3);
    }
    return key;
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
