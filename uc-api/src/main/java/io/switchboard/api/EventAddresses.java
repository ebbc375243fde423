package io.switchboard.api;

/**
 * The event-bus catalogue: every address Switchboard modules talk on, in one place. Payloads are
 * JSON objects (they may cross a clustered event bus) built and read by the records of this module
 * ({@link BusPayload}); each address names its records. Requests carry who asks as a {@link Caller};
 * a failed request fails with a {@link BusFailure} (code, field, message). Ask with
 * {@link BusCalls#request}, answer with {@link BusConsumers#answer}.
 */
public final class EventAddresses {

  private EventAddresses() {
  }

  /** Published by the registrar: {@link RegistrationEvent}, one per binding added, refreshed or removed. */
  public static final String REGISTRATION = "switchboard.registration";

  /**
   * Who is registered now, answered by the location service, for administrators: request
   * {@link io.switchboard.api.sip.BindingsQuery} (one user's live bindings, or all); reply
   * {@link io.switchboard.api.sip.Bindings}.
   */
  public static final String SIP_BINDINGS = "switchboard.sip.bindings";

  /**
   * Published by the web console's live channel when a user's first console opens and when their
   * last one has been closed for a short grace period: {@link ConsolePresence}. Presence
   * counts an open console as a device, so a user with only a browser is not shown offline.
   */
  public static final String CONSOLE_PRESENCE = "switchboard.console.presence";

  /**
   * Prefix of a per-user address, {@code switchboard.console.deliver.<username>}, on which the web
   * console's live channel listens while that user has at least one console open: request
   * {@link io.switchboard.api.im.ConsoleDeliver}; empty reply once the message frame was written to at least one of
   * the user's open sockets (not a browser acknowledgement). No console open: the request fails
   * with NO_HANDLERS. IM treats an open console as one more device of the recipient.
   */
  public static final String CONSOLE_DELIVER = "switchboard.console.deliver.";

  /** Published by the user API: {@link UserEvent}, on create, update, disable and delete. */
  public static final String USER_CHANGED = "switchboard.user.changed";

  // ---- instant messaging: requests answered by the im module ---------------------------------
  // Failed requests fail with a BusFailure whose code means what the HTTP status of the same
  // number means: 400, 403, 404, 409, 413, 503.

  /** Request {@link ImSend}; reply {@link ImMessage} with state DELIVERED or STORED. */
  public static final String IM_SEND = "switchboard.im.send";

  /**
   * Request {@link io.switchboard.api.im.ImFileSend} (a file the console stored for the caller); reply
   * {@link ImMessage} with its {@code file}, as {@link #IM_SEND}.
   */
  public static final String IM_FILE_SEND = "switchboard.im.file.send";

  /** Request {@link io.switchboard.api.im.ImHistoryQuery}; reply {@link io.switchboard.api.im.ImMessages}, newest first. */
  public static final String IM_HISTORY = "switchboard.im.history";

  /** Request {@link io.switchboard.api.im.ImConversationsQuery}; reply {@link io.switchboard.api.im.ImConversations}. */
  public static final String IM_CONVERSATIONS = "switchboard.im.conversations";

  /** Request {@link io.switchboard.api.im.ImSearchQuery}; reply {@link io.switchboard.api.im.ImMessages}, newest first. */
  public static final String IM_SEARCH = "switchboard.im.search";

  /** Request {@link io.switchboard.api.im.RoomCreate}; reply {@link io.switchboard.api.im.RoomInfo}. */
  public static final String IM_ROOM_CREATE = "switchboard.im.room.create";

  /** Request {@link io.switchboard.api.im.RoomListQuery}; reply {@link io.switchboard.api.im.Rooms}: the caller's rooms, every room for an admin. */
  public static final String IM_ROOM_LIST = "switchboard.im.room.list";

  /** Request {@link io.switchboard.api.im.RoomDelete}; reply {@link NoContent}. Only the creator or an admin (else 403). */
  public static final String IM_ROOM_DELETE = "switchboard.im.room.delete";

  /**
   * Request a JSON object: {@code {"username": u}} reads that user's e-mail settings, with {@code "change":
   * {"email": address or null, "notifyMissed": boolean, "mutedRooms": [names]}} (any of them) changes them
   * first; reply {@code {"email", "notifyMissed", "mutedRooms"}}. {@code {"all": true}}: reply {@code
   * {"settings": {username: {...}}}} for every user who gave an address. Addresses are checked by the caller.
   */
  public static final String IM_EMAIL_SETTINGS = "switchboard.im.email-settings";

  /**
   * The caller saw one of their received messages (the console shows it): request
   * {@link io.switchboard.api.im.ImSeen}; reply {@link ImMessage} with its {@code displayedAt}. IM records it,
   * publishes it on {@link #IM_STATE} and, when the original asked for it, sends the sender's CPIM devices an
   * IMDN display notification. 404 when the message is not one the caller received.
   */
  public static final String IM_SEEN = "switchboard.im.seen";

  /**
   * Request {@link io.switchboard.api.im.BroadcastSend}; reply {@link io.switchboard.api.im.BroadcastInfo}, once
   * every recipient's phones took it or it is stored for them. Administrators and broadcasters only (else 403).
   */
  public static final String IM_BROADCAST_SEND = "switchboard.im.broadcast.send";

  /** Request {@link io.switchboard.api.im.BroadcastQuery}; reply {@link io.switchboard.api.im.Broadcasts}: the current ones for the caller, all for an admin. */
  public static final String IM_BROADCAST_LIST = "switchboard.im.broadcast.list";

  /** Request {@link io.switchboard.api.im.BroadcastRef}; reply {@link NoContent}: withdrawn. Administrators and broadcasters only. */
  public static final String IM_BROADCAST_WITHDRAW = "switchboard.im.broadcast.withdraw";

  /** Request {@link io.switchboard.api.im.BroadcastRef}; reply {@link NoContent}: the caller no longer sees it in the ticker. */
  public static final String IM_BROADCAST_DISMISS = "switchboard.im.broadcast.dismiss";

  // ---- instant messaging: events ---------------------------------------------------------------

  /** Published for every accepted message once its first outcome is known: {@link ImMessage}. */
  public static final String IM_MESSAGE = "switchboard.im.message";

  /**
   * Published when a stored message is later delivered or expires, or its recipient saw it (an IMDN display
   * notification, or their console): {@link ImMessage} with the new state and {@code displayedAt}.
   */
  public static final String IM_STATE = "switchboard.im.state";

  /** Published when a broadcast starts or ends for some consoles (sent, withdrawn, replaced, dismissed): {@link io.switchboard.api.im.BroadcastEvent}. */
  public static final String BROADCAST_CHANGED = "switchboard.im.broadcast.changed";

  // ---- telephony ---------------------------------------------------------------------------------

  /** Published by telephony for every change of a user's call state: {@link CallStateEvent}. */
  public static final String CALL_STATE = "switchboard.call.state";

  /**
   * Click-to-call, answered by telephony: request {@link io.switchboard.api.telephony.Originate}; reply
   * {@link io.switchboard.api.telephony.OriginateQueued} once Asterisk queued the Originate. Failure
   * codes: 404 unknown target, 409 the user has no phone, 503 no Asterisk link.
   */
  public static final String CALL_ORIGINATE = "switchboard.call.originate";

  /**
   * Published when a click-to-call's first leg (the user's own phone) is answered or not:
   * {@link io.switchboard.api.telephony.CallProgress}.
   */
  public static final String CALL_PROGRESS = "switchboard.call.progress";

  /**
   * A conference call from a chat room, answered by telephony (the node holding the AMI link): request
   * {@link io.switchboard.api.telephony.ConferenceStart}; reply {@link io.switchboard.api.telephony.ConferenceStarted}
   * once every Originate was queued. Failure codes: 409 no conference extension configured (field
   * {@code ami.conference-extension}), 503 no Asterisk link.
   */
  public static final String CONFERENCE_START = "switchboard.conference.start";

  /**
   * A room's conference now, answered by telephony: request {@link io.switchboard.api.telephony.ConferenceQuery};
   * reply {@link io.switchboard.api.telephony.ConferenceState}.
   */
  public static final String CONFERENCE_GET = "switchboard.conference.get";

  /**
   * Published by telephony when someone joins or leaves a room's conference, and when it ends:
   * {@link io.switchboard.api.telephony.ConferenceState}.
   */
  public static final String CONFERENCE_CHANGED = "switchboard.conference.changed";

  /**
   * Published by telephony when Asterisk reports a user's mailbox changed (AMI {@code MessageWaiting}):
   * {@link io.switchboard.api.telephony.VoicemailWaiting}.
   */
  public static final String VOICEMAIL_WAITING = "switchboard.voicemail.waiting";

  /**
   * The caller's voicemail counts, answered by telephony: request {@link io.switchboard.api.telephony.VoicemailQuery};
   * reply {@link io.switchboard.api.telephony.VoicemailWaiting}.
   */
  public static final String VOICEMAIL_GET = "switchboard.voicemail.get";

  // ---- presence: events --------------------------------------------------------------------------

  /**
   * Published when what a watcher may see of a presentity changes, already filtered by the
   * presentity's rules: {@link io.switchboard.api.presence.PresenceUpdate}. The console's
   * live channel forwards each to the watcher's browsers.
   */
  public static final String PRESENCE_UPDATE = "switchboard.presence.update";

  /**
   * Published when a watcher subscribes, is put on hold for confirmation, or goes:
   * {@link io.switchboard.api.presence.WatcherEvent}.
   */
  public static final String PRESENCE_WATCHER = "switchboard.presence.watcher";

  /**
   * Published when a watcher acknowledged a NOTIFY: {@link io.switchboard.api.presence.NotifiedEvent}.
   * What each watcher has actually seen.
   */
  public static final String PRESENCE_NOTIFIED = "switchboard.presence.notified";

  /**
   * Published (cluster-wide) whenever a user uses one of their devices (a message sent, a call placed or
   * answered, a PUBLISH, the console's focus): {@link io.switchboard.api.presence.DeviceUsed}. Presence,
   * IM and click-to-call each keep the latest use per device ({@code DevicesInUse}) to find the device in use.
   */
  public static final String DEVICE_USED = "switchboard.device.used";

  // ---- presence: requests answered by the presence module ------------------------------------------
  // Failure codes mean the HTTP statuses of the same number, as for IM.

  /** {@link io.switchboard.api.presence.PresenceQuery} → {@link io.switchboard.api.presence.PresenceOf} (403 when blocked or pending). */
  public static final String PRESENCE_GET = "switchboard.presence.get";

  /** {@link io.switchboard.api.presence.PresenceSet} → the caller's own {@link io.switchboard.api.presence.PresenceStatus}. */
  public static final String PRESENCE_SET = "switchboard.presence.set";

  /** {@link io.switchboard.api.presence.BuddiesRequest} (list, add, remove) → {@link io.switchboard.api.presence.BuddyList}. */
  public static final String PRESENCE_BUDDIES = "switchboard.presence.buddies";

  /** {@link io.switchboard.api.presence.RulesRequest} (get, put) → {@link io.switchboard.api.presence.Rules}. */
  public static final String PRESENCE_RULES = "switchboard.presence.rules";

  /** {@link io.switchboard.api.presence.PendingQuery} → {@link io.switchboard.api.presence.PendingWatchers}: watchers waiting for the caller's decision. */
  public static final String PRESENCE_PENDING = "switchboard.presence.pending";

  // ---- provisioning --------------------------------------------------------------------------------

  /** Published by provisioning on every device create, change and delete: {@link DeviceEvent}. */
  public static final String DEVICE_CHANGED = "switchboard.device.changed";

  /**
   * Devices, answered by provisioning, for administrators: request
   * {@link io.switchboard.api.provisioning.DeviceRequest} (list, get, create, patch, delete); reply
   * {@link io.switchboard.api.provisioning.DeviceView}, {@link io.switchboard.api.provisioning.DeviceList}
   * for list, {@link NoContent} for delete. Failure codes 400 (naming the field), 403, 404, 409 (taken
   * MAC or endpoint), 503.
   */
  public static final String DEVICES = "switchboard.provisioning.devices";

  /**
   * CSV import of users and devices, answered by provisioning, for administrators: request
   * {@link io.switchboard.api.provisioning.ImportRequest}; reply
   * {@link io.switchboard.api.provisioning.ImportReport}. All or
   * nothing: with any error nothing is imported ({@code imported} 0). Failure codes 409 (another
   * import is running, or a value was taken while this one wrote: nothing kept), 413 (over
   * {@link #IMPORT_MAX_BYTES} or {@link #IMPORT_MAX_ROWS}), 503. Hashing passwords takes about a
   * tenth of a second per user: ask with a long timeout.
   */
  public static final String IMPORT = "switchboard.provisioning.import";

  /** The largest CSV {@link #IMPORT} takes: bytes of UTF-8 (the console refuses larger bodies with 413). */
  public static final int IMPORT_MAX_BYTES = 1024 * 1024;

  /** The most data rows one {@link #IMPORT} takes (failure 413 beyond). */
  public static final int IMPORT_MAX_ROWS = 5000;

  /**
   * Asks telephony to make Asterisk re-read a module's configuration (AMI {@code Action: Reload}):
   * request {@link io.switchboard.api.telephony.AmiReloadRequest}; {@link NoContent} once Asterisk answered. Failure 503
   * without a link to Asterisk.
   */
  public static final String AMI_RELOAD = "switchboard.ami.reload";

  /**
   * Published by provisioning each time it told a user's phones to fetch their files again (a
   * check-sync NOTIFY, some time after a change): {@link io.switchboard.api.provisioning.CheckSyncEvent}.
   */
  public static final String CHECK_SYNC = "switchboard.provisioning.check-sync";

  /** Published by presence when a user's buddy list changes: {@link io.switchboard.api.presence.BuddiesChanged}. */
  public static final String BUDDIES_CHANGED = "switchboard.presence.buddies.changed";

  // ---- security ------------------------------------------------------------------------------------

  /**
   * Published for every security event (failed login or digest, throttled source, blocked watcher,
   * admin change): {@link SecurityEvent}. Reported through {@code SecurityLog}, never with a secret.
   */
  public static final String SECURITY_EVENT = "switchboard.security.event";

  /**
   * Log levels at run time (the admin page), answered by the server, which owns the logging backend,
   * for administrators: request {@link io.switchboard.api.admin.LogLevelsRequest} (read, or set one
   * logger's level); reply {@link io.switchboard.api.admin.LogLevelList}. Failure 400 naming
   * {@code logger} or {@code level} for a bad one.
   */
  public static final String LOG_LEVELS = "switchboard.admin.log-levels";

  /**
   * Published when the TLS certificate files were read again (SIGHUP, or either file changed) and
   * parse: empty body. Every TLS listener then takes the new certificate for new connections.
   */
  public static final String TLS_RELOADED = "switchboard.tls.reloaded";

  // ---- cluster: between the nodes of a cluster (#15) -----------------------------------------------
  // On a single node these stay local; each node ignores what it sent itself (its id is the record's
  // "from" or "node": NodeIdentity).

  /**
   * Published by the node that changed a binding, after storing it: {@link io.switchboard.api.cluster.BindingChanged}.
   * Every node keeps every binding in memory.
   */
  public static final String BINDING_CHANGED = "switchboard.cluster.binding";

  /**
   * Prefix of each node's address for requests to the devices whose flow it holds (see {@link #sipSend}):
   * request {@link io.switchboard.api.cluster.SipSend}, reply {@link io.switchboard.api.cluster.SipSendResult}
   * (the device's final response); a failure is 408 (no answer) or 503 (not sent).
   */
  public static final String SIP_SEND_PREFIX = "switchboard.sip.send.";

  /**
   * Published by the node that accepted a PUBLISH or removed one: {@link io.switchboard.api.cluster.PresencePublication}.
   * Every node keeps it and expires it on its own.
   */
  public static final String PRESENCE_PUBLICATION = "switchboard.cluster.presence.publication";

  /**
   * Published by the node that wrote a presence profile (manual state, rules, buddies, pending watchers):
   * {@link io.switchboard.api.cluster.ProfileChanged}. The others read it from the store and tell their watchers.
   */
  public static final String PRESENCE_PROFILE = "switchboard.cluster.presence.profile";

  /**
   * Local only, published by telephony when this node starts holding the AMI link:
   * {@link io.switchboard.api.cluster.AmiHolder}. Provisioning then writes the PJSIP file here.
   */
  public static final String AMI_HOLDER = "switchboard.ha.ami.holder";

  /**
   * Local only, published when this node merged back into the cluster after a partition (Hazelcast's
   * split-brain merge: it was cut off, the others went on without it): {@link io.switchboard.api.cluster.ClusterMerged}.
   * What it held cluster-wide meanwhile (the AMI link's lock) may be another node's now.
   */
  public static final String CLUSTER_MERGED = "switchboard.ha.merged";

  /**
   * Prefix + username; one consumer per user per node while a console of the user's is open there.
   * Request {@link io.switchboard.api.cluster.ConsoleOpen}, reply {@link NoContent}: an answer means a
   * console is still open elsewhere, so the user is not offline.
   */
  public static final String CONSOLE_OPEN = "switchboard.ha.console.open.";

  /**
   * Prefix + throttle kind ({@code login}, {@code probe}, {@code digest}): {@link io.switchboard.api.cluster.FailureCounted},
   * one failure counted by another node.
   */
  public static final String FAILURE = "switchboard.ha.failure.";

  /** The address where node {@code nodeId} sends requests to its devices. */
  public static String sipSend(String nodeId) {
    return SIP_SEND_PREFIX + nodeId;
  }
}
