package io.switchboard.presence;

import java.util.ArrayList;
import java.util.List;

/**
 * A buddy list's URI (RFC 4662 resource list) as the pattern of {@code presence.list-uri-pattern}
 * names it: {@code alice-buddies} is alice's whole list, {@code alice-buddies-sales} her group
 * "Sales". Pure.
 *
 * @param owner the owner as written in the URI (a username or an extension)
 * @param group the group as it appears in the URI (see {@code SwitchboardConfig.Presence#groupSlug}),
 *     or null for the whole list
 */
record BuddyListUri(String owner, String group) {

  /**
   * The readings of a Request-URI's user part under the pattern, most likely first: usually one;
   * several when the owner or the group could contain the separator. Empty when it is no list URI.
   */
  static List<BuddyListUri> candidates(String pattern, String userPart) {
    int at = pattern.indexOf("{user}");
    String prefix = pattern.substring(0, at);
    String suffix = pattern.substring(at + "{user}".length());
    List<BuddyListUri> out = new ArrayList<>();
    if (userPart == null || !userPart.startsWith(prefix)) {
      return out;
    }
    String rest = userPart.substring(prefix.length());
    for (int i = 1; i <= rest.length() - suffix.length(); i++) {
      if (!rest.startsWith(suffix, i)) {
        continue;
      }
      int end = i + suffix.length();
      String owner = rest.substring(0, i);
      if (end == rest.length()) {
        out.add(new BuddyListUri(owner, null));
      } else if (rest.charAt(end) == '-' && end + 1 < rest.length()) {
        out.add(new BuddyListUri(owner, rest.substring(end + 1)));
      }
    }
    // The whole list before a group of it: "alice-buddies" is alice's list, not a group of "alice-buddies".
    out.sort(java.util.Comparator.comparing((BuddyListUri c) -> c.group() != null));
    return out;
  }
}
