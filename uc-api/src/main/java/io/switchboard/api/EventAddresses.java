package io.switchboard.api;

/**
 * The event-bus catalogue: every address Switchboard modules talk on, in one place. Payloads are
 * JSON objects (they may cross a clustered event bus) built and read by the records in this
 * package; each address names its record.
 */
public final class EventAddresses {

  private EventAddresses() {
  }

  /** Published by the registrar: {@link RegistrationEvent}, one per binding added, refreshed or removed. */
  public static final String REGISTRATION = "switchboard.registration";

  /**
   * Who is registered now, answered by the location service: request {@code {"user"}} for one user's
   * live bindings, {@code {}} for all; reply {@code {"bindings": [{"username", "contact",
   * "userAgent", "transport", "source", "device", "expiresIn"}]}} (seconds left; device: the id of the
   * provisioned device whose credentials registered it, else null).
   */
  public static final String SIP_BINDINGS = "switchboard.sip.bindings";

  /**
   * Published by the web console's live channel when a user's first console opens and when their
   * last one has been closed for a short grace period: {@code {"username", "online": bool}}. Presence
   * counts an open console as a device, so a user with only a browser is not shown offline.
   */
  public static final String CONSOLE_PRESENCE = "switchboard.console.presence";

  /**
   * Prefix of a per-user address, {@code switchboard.console.deliver.<username>}, on which the web
   * console's live channel listens while that user has at least one console open: request
   * {@code {"message": ImMessage}}; empty reply once the message frame was written to at least one of
   * the user's open sockets (not a browser acknowledgement). No console open: the request fails
   * with NO_HANDLERS. IM treats an open console as one more device of the recipient.
   */
  public static final String CONSOLE_DELIVER = "switchboard.console.deliver.";

  /** Published by the user API: {@link UserEvent}, on create, update, disable and delete. */
  public static final String USER_CHANGED = "switchboard.user.changed";

  // ---- instant messaging: requests answered by the im module ---------------------------------
  // Failed requests are answered with ReplyException failure codes that mean what the HTTP
  // status of the same number means: 400, 404, 413, 415, 503.

  /** Request {@link ImSend}; reply {@link ImMessage} with state DELIVERED or STORED. */
  public static final String IM_SEND = "switchboard.im.send";

  /** Request {@code {"user", "with", "before"?, "limit"}}; reply {@code {"messages": [ImMessage...]}}, newest first. */
  public static final String IM_HISTORY = "switchboard.im.history";

  /** Request {@code {"user"}}; reply {@code {"conversations": [{"with", "last": ImMessage}]}}, most recent first. */
  public static final String IM_CONVERSATIONS = "switchboard.im.conversations";

  /** Request {@code {"user", "name", "members": [usernames]}}; reply the room {@code {"name", "address", "members", ...}}. */
  public static final String IM_ROOM_CREATE = "switchboard.im.room.create";

  /** Request {@code {"user", "admin": bool}}; reply {@code {"rooms": [...]}}: the user's rooms, every room for an admin. */
  public static final String IM_ROOM_LIST = "switchboard.im.room.list";

  /** Request {@code {"user", "admin": bool, "name"}}; empty reply. Only the creator or an admin (else 403). */
  public static final String IM_ROOM_DELETE = "switchboard.im.room.delete";

  // ---- instant messaging: events ---------------------------------------------------------------

  /** Published for every accepted message once its first outcome is known: {@link ImMessage}. */
  public static final String IM_MESSAGE = "switchboard.im.message";

  /** Published when a stored message is later delivered or expires: {@link ImMessage} with the new state. */
  public static final String IM_STATE = "switchboard.im.state";

  // ---- telephony ---------------------------------------------------------------------------------

  /** Published by telephony for every change of a user's call state: {@link CallStateEvent}. */
  public static final String CALL_STATE = "switchboard.call.state";

  /**
   * Click-to-call, answered by telephony: request {@code {"user", "to"}} (a username, an extension or
   * a number); reply {@code {"id", "from", "to", "state": "queued"}} once Asterisk queued the
   * Originate. Failure codes: 404 unknown target, 409 the user has no phone, 503 no Asterisk link.
   */
  public static final String CALL_ORIGINATE = "switchboard.call.originate";

  /**
   * Published when a click-to-call's first leg (the user's own phone) is answered or not:
   * {@code {"id", "user", "to", "outcome": "answered"|"no-answer"|"busy"|"failed", "reason"}}.
   */
  public static final String CALL_PROGRESS = "switchboard.call.progress";

  // ---- presence: events --------------------------------------------------------------------------

  /**
   * Published when what a watcher may see of a presentity changes, already filtered by the
   * presentity's rules: {@code {"watcher", "presentity", "presence": PresenceView}}. The console's
   * live channel forwards each to the watcher's browsers.
   */
  public static final String PRESENCE_UPDATE = "switchboard.presence.update";

  /**
   * Published when a watcher subscribes, is put on hold for confirmation, or goes:
   * {@code {"presentity", "watcher", "state": "active"|"pending"|"terminated"}}.
   */
  public static final String PRESENCE_WATCHER = "switchboard.presence.watcher";

  /**
   * Published when a watcher acknowledged a NOTIFY: {@code {"presentity", "watcher", "state",
   * "presence": PresenceView or null while pending}}. What each watcher has actually seen.
   */
  public static final String PRESENCE_NOTIFIED = "switchboard.presence.notified";

  // ---- presence: requests answered by the presence module ------------------------------------------
  // Failure codes mean the HTTP statuses of the same number, as for IM.

  /** {@code {"user", "of"}} → PresenceView of {@code of} as {@code user} may see it (403 when blocked or pending). */
  public static final String PRESENCE_GET = "switchboard.presence.get";

  /** {@code {"user", "state": available|away|busy|dnd, "note"?, "until"?}} → the user's own PresenceView. */
  public static final String PRESENCE_SET = "switchboard.presence.set";

  /** {@code {"user", "op": list|add|remove, "username"?, "group"?, "displayName"?}} → {@code {"buddies": [...]}}. */
  public static final String PRESENCE_BUDDIES = "switchboard.presence.buddies";

  /** {@code {"user", "op": get|put, "rules"?: [{"watcher", "action"}]}} → {@code {"rules": [...]}}. */
  public static final String PRESENCE_RULES = "switchboard.presence.rules";

  /** {@code {"user"}} → {@code {"pending": [{"watcher", "since"}]}}: watchers waiting for the user's decision. */
  public static final String PRESENCE_PENDING = "switchboard.presence.pending";

  // ---- provisioning --------------------------------------------------------------------------------

  /** Published by provisioning on every device create, change and delete: {@link DeviceEvent}. */
  public static final String DEVICE_CHANGED = "switchboard.device.changed";

  /**
   * Devices, answered by provisioning: request {@code {"op": "list", "user"}}, {@code {"op": "get", "id"}},
   * {@code {"op": "create", "user", "device": {kind, vendor, model, mac, endpoint?, profile?}}},
   * {@code {"op": "patch", "id", "device": {...}}}, {@code {"op": "delete", "id"}}; reply the device
   * ({@code Device.toJson} with {@code provisioningUrl}), {@code {"devices": [...]}} for list, empty
   * for delete. Failure codes 400 (message "field: reason"), 404, 409 (taken MAC or endpoint), 503.
   */
  public static final String DEVICES = "switchboard.provisioning.devices";

  /**
   * CSV import of users and devices, answered by provisioning: request {@code {"csv": "..."}}; reply
   * {@code {"imported": n, "users": n, "devices": n, "errors": [{"line", "field", "message"}]}}. All or
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
   * request {@code {"module": "res_pjsip.so"}}; empty reply once Asterisk answered. Failure 503
   * without a link to Asterisk.
   */
  public static final String AMI_RELOAD = "switchboard.ami.reload";

  /**
   * Published by provisioning each time it told a user's phones to fetch their files again (a
   * check-sync NOTIFY, some time after a change): {@code {"user", "devices": [ids of the user's desk
   * phones that take one], "notified": n}}, n the NOTIFYs sent (one per registered contact of those phones).
   */
  public static final String CHECK_SYNC = "switchboard.provisioning.check-sync";

  /** Published by presence when a user's buddy list changes: {@code {"user"}}. */
  public static final String BUDDIES_CHANGED = "switchboard.presence.buddies.changed";

  // ---- security ------------------------------------------------------------------------------------

  /**
   * Published for every security event (failed login or digest, throttled source, blocked watcher,
   * admin change): {@link SecurityEvent}. Reported through {@code SecurityLog}, never with a secret.
   */
  public static final String SECURITY_EVENT = "switchboard.security.event";

  /**
   * Log levels at run time (the admin page), answered by the server, which owns the logging backend.
   * Request {@code {}}: the levels now. Request {@code {"logger": "io.switchboard.im" or "ROOT",
   * "level": "DEBUG" or null}}: sets it (null: inherit from the parent; not for ROOT). Reply, both:
   * {@code {"levels": [{"logger", "level", "effective"}]}}, every logger with a level of its own.
   * Failure code 400 with "logger: ..." or "level: ..." for a bad one.
   */
  public static final String LOG_LEVELS = "switchboard.admin.log-levels";

  /**
   * Published when the TLS certificate files were read again (SIGHUP, or either file changed) and
   * parse: empty body. Every TLS listener then takes the new certificate for new connections.
   */
  public static final String TLS_RELOADED = "switchboard.tls.reloaded";
}
