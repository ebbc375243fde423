package io.switchboard.presence;

import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * One of a user's privacy rules: what a watcher (a username, or {@code *} for everyone else) may see.
 *
 * <table>
 *   <caption>Actions (RFC 3856 §5, authorization; RFC 6665 subscription states)</caption>
 *   <tr><th>action</th><th>SUBSCRIBE answer</th><th>the watcher sees</th></tr>
 *   <tr><td>allow</td><td>200, active</td><td>the presence</td></tr>
 *   <tr><td>block</td><td>403</td><td>nothing; a live subscription ends, reason rejected</td></tr>
 *   <tr><td>polite-block</td><td>200, active</td><td>offline, always, and cannot tell</td></tr>
 *   <tr><td>confirm</td><td>202, pending</td><td>nothing until the user decides</td></tr>
 * </table>
 */
public record Rule(String watcher, Action action) {

  public static final String EVERYONE = "*";

  public enum Action {
    ALLOW, BLOCK, POLITE_BLOCK, CONFIRM;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** @return null for an unknown name */
    public static Action fromWire(String s) {
      for (Action a : values()) {
        if (a.wireName().equals(s)) {
          return a;
        }
      }
      return null;
    }
  }

  public JsonObject toJson() {
    return new JsonObject().put("watcher", watcher).put("action", action.wireName());
  }
}
