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
}
