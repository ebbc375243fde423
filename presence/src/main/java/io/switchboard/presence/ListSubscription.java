package io.switchboard.presence;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One subscription to a buddy list (RFC 4662): its dialog, which {@link Notifier} sends on like any
 * other, the list it shows, and what each resource was last shown as. Mutable; SIP context only.
 */
final class ListSubscription {

  /**
   * What the owner was last shown of one buddy: {@code active} with the view (a PresenceView or a
   * call state; offline or idle when polite-blocked), or {@code pending} with none. Compared, never
   * rendered: a resource goes into a partial NOTIFY only when this changed.
   */
  record Shown(String state, Object view) {
  }

  /** The dialog: Call-ID, tags, route, CSeq, template, and the multipart boundary of its bodies. */
  final Subscription dialog;
  final String owner;
  /** The group as it appears in the URI, or null for the whole buddy list. */
  final String group;
  final EventPackage pkg;
  /** The document of each presence resource (chosen from the Accept); null for dialog. */
  final PresenceFormat format;

  /** The RLMI version of the next NOTIFY: 0 first, one up per NOTIFY (RFC 4662 §5.2). */
  long version;
  /** Per buddy, in list order; empty before the first NOTIFY. */
  Map<String, Shown> lastSent = new LinkedHashMap<>();
  /** The next NOTIFY carries every resource (first, refresh, the list's members changed). */
  boolean fullDue = true;
  /** Something may have changed since the last NOTIFY. */
  boolean dirty;
  boolean inFlight;
  long throttleTimer = -1;
  long expiryTimer = -1;
  /** When the last NOTIFY left, milliseconds of the clock. */
  long lastSentAt = Long.MIN_VALUE / 2;
  boolean terminated;
  /** Instance ids, one per buddy for the life of the subscription (RFC 4662 §5.2). */
  final Map<String, String> instanceIds = new HashMap<>();
  /** Each dialog resource's own dialog-info version (RFC 4235 §4.1). */
  final Map<String, Long> dialogVersions = new HashMap<>();
  /** Buddies whose profiles already list the owner as a pending watcher. */
  final Set<String> notedPending = new HashSet<>();

  ListSubscription(Subscription dialog, String owner, String group, EventPackage pkg, PresenceFormat format) {
    this.dialog = dialog;
    this.owner = owner;
    this.group = group;
    this.pkg = pkg;
    this.format = format;
  }

  String key() {
    return dialog.key();
  }
}
