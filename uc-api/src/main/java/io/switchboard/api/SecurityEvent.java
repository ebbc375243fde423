package io.switchboard.api;

import io.vertx.core.json.JsonObject;

/**
 * One security-relevant happening, published on {@link EventAddresses#SECURITY_EVENT} and written to
 * the {@code switchboard.security} log. Never carries a secret: no password, no digest response, no
 * nonce, no token.
 *
 * @param kind what happened
 * @param who the account concerned (a username, a SIP user part, a MAC), or null when unknown
 * @param source where it came from: {@code ip:port} for SIP, the client address for HTTP
 * @param detail a short human-readable explanation (the admin change, the reason)
 * @param at when, milliseconds since the epoch
 */
public record SecurityEvent(Kind kind, String who, String source, String detail, long at) implements BusPayload {

  public enum Kind {
    /** A web console login with a wrong password, an unknown or disabled user. */
    LOGIN_FAILED,
    /** A SIP digest that did not check out (wrong response, replayed nonce count, wrong uri or realm). */
    DIGEST_FAILED,
    /** A source (or an account) throttled: logins, digest failures, or a request flood. */
    SOURCE_THROTTLED,
    /** A watcher refused by the presentity's rules (block). */
    WATCHER_BLOCKED,
    /** An administrator changed a user, a device, or imported a file. */
    ADMIN_CHANGE
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("kind", kind.name()).put("who", who).put("source", source)
        .put("detail", detail).put("at", at);
  }

  public static SecurityEvent fromJson(JsonObject json) {
    return new SecurityEvent(Kind.valueOf(json.getString("kind")), json.getString("who"),
        json.getString("source"), json.getString("detail"), json.getLong("at", 0L));
  }
}
