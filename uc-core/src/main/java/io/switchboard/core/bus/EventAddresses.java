package io.switchboard.core.bus;

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
}
