package io.switchboard.presence;

import java.time.Instant;
import java.util.List;

/**
 * One watcher's presence subscription: the dialog (RFC 6665) and what was last sent. Mutable, and
 * touched only on the SIP context.
 */
final class Subscription {

  /** RFC 6665 §4.1.2 subscription states as the notifier keeps them. */
  enum State { ACTIVE, PENDING }

  final String callId;
  final String localTag;
  final String remoteTag;
  final String watcher;
  final String presentity;
  final String presentityUri;
  final String watcherUri;
  final String contact;
  final List<String> routeSet;
  final String transport;
  final String source;
  final String eventId;
  final EventPackage pkg;
  /** The document its NOTIFYs carry, for presence (chosen from its Accept); null for the other packages. */
  final PresenceFormat format;
  /** The dialog's key (Call-ID and our tag), made once: every NOTIFY of a fan-out looks it up. */
  private final String key;
  /** For a resource list's dialog (RFC 4662): its multipart boundary; null for one presentity. */
  final String listBoundary;

  State state;
  Instant expiresAt;
  long expiryTimer = -1;
  long cseq;
  /** What the watcher was last shown; null before the first NOTIFY. */
  Subscriptions.WatcherView lastSent;
  /** The version of the last dialog-info or watcherinfo document sent (RFC 4235, RFC 3858). */
  long version = -1;
  boolean notifyInFlight;
  /** Views decided while a NOTIFY was unanswered, oldest first (see Subscriptions#QUEUED_PER_DIALOG). */
  final java.util.ArrayDeque<Subscriptions.Body> queued = new java.util.ArrayDeque<>(2);
  boolean terminated;
  /**
   * The dialog's NOTIFY, parsed once and cloned for each (see {@link Notifier}): made and read only
   * on the one context that sends this subscription's NOTIFYs, never changed once made.
   */
  volatile javax.sip.message.Request notifyTemplate;
  /** The same as bytes (empty: the NOTIFYs take the stack's path); null until made, on the sending context. */
  volatile java.util.Optional<NotifyBytes> notifyBytes;

  Subscription(String callId, String localTag, String remoteTag, String watcher, String presentity,
      String presentityUri, String watcherUri, String contact, List<String> routeSet, String transport, String source,
      String eventId, EventPackage pkg, PresenceFormat format, State state, Instant expiresAt) {
    this(callId, localTag, remoteTag, watcher, presentity, presentityUri, watcherUri, contact, routeSet, transport,
        source, eventId, pkg, format, state, expiresAt, null);
  }

  /** @param listBoundary for a resource list's dialog, the boundary of its multipart bodies; else null */
  Subscription(String callId, String localTag, String remoteTag, String watcher, String presentity,
      String presentityUri, String watcherUri, String contact, List<String> routeSet, String transport, String source,
      String eventId, EventPackage pkg, PresenceFormat format, State state, Instant expiresAt, String listBoundary) {
    this.listBoundary = listBoundary;
    this.callId = callId;
    this.localTag = localTag;
    this.remoteTag = remoteTag;
    this.watcher = watcher;
    this.presentity = presentity;
    this.presentityUri = presentityUri;
    this.watcherUri = watcherUri;
    this.contact = contact;
    this.routeSet = List.copyOf(routeSet);
    this.transport = transport;
    this.source = source;
    this.eventId = eventId;
    this.pkg = pkg;
    this.format = format;
    this.state = state;
    this.expiresAt = expiresAt;
    this.key = key(callId, localTag);
  }

  static String key(String callId, String localTag) {
    return callId + ";" + localTag;
  }

  String key() {
    return key;
  }

  /** The NOTIFY body's media type: a list's multipart, the format's for presence, else the package's. */
  String bodyType() {
    return listBoundary != null ? "multipart" : format != null ? format.type : pkg.type;
  }

  /** The subtype, with a list's parameters (type and boundary). */
  String bodySubType() {
    if (listBoundary != null) {
      return Rlmi.contentType(listBoundary).substring("multipart/".length());
    }
    return format != null ? format.subType : pkg.subType;
  }
}
