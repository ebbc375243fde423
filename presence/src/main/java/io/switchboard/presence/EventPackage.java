package io.switchboard.presence;

/**
 * The event packages Switchboard serves (RFC 6665 §7.2), with the body type each NOTIFY carries.
 */
enum EventPackage {
  /** RFC 3856: the presentity's presence, as PIDF. */
  PRESENCE("presence", "application", "pidf+xml"),
  /** RFC 3857/3858: who is watching (or asking to watch) the subscriber's own presence. */
  WINFO("presence.winfo", "application", "watcherinfo+xml"),
  /** RFC 4235: the presentity's calls, as desk phones' BLF keys show them. */
  DIALOG("dialog", "application", "dialog-info+xml");

  final String eventName;
  final String type;
  final String subType;

  EventPackage(String eventName, String type, String subType) {
    this.eventName = eventName;
    this.type = type;
    this.subType = subType;
  }

  static EventPackage of(String eventName) {
    for (EventPackage p : values()) {
      if (p.eventName.equalsIgnoreCase(eventName)) {
        return p;
      }
    }
    return null;
  }

  static String allowEvents() {
    return "presence, presence.winfo, dialog";
  }
}
