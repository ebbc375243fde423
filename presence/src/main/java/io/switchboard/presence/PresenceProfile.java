package io.switchboard.presence;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything a user decided about presence: the state set by hand, privacy rules, buddy list, and
 * the watchers waiting for a decision. Immutable; changes make a new profile.
 *
 * @param version the store's revision of this profile, 0 before it was first stored: each stored
 *     change counts it up, so that concurrent changes are compared and set, never lost
 */
public record PresenceProfile(String username, ManualState manual, List<Rule> rules, List<Buddy> buddies,
    List<Pending> pending, long version) {

  /** A buddy in the user's list. */
  public record Buddy(String username, String group, String displayName) {
    public JsonObject toJson() {
      return new JsonObject().put("username", username).put("group", group).put("displayName", displayName);
    }
  }

  /** A watcher who asked to see the user and waits for a rule. */
  public record Pending(String watcher, Instant since) {
    public JsonObject toJson() {
      return new JsonObject().put("watcher", watcher).put("since", since.toString());
    }
  }

  public PresenceProfile {
    rules = List.copyOf(rules);
    buddies = List.copyOf(buddies);
    pending = List.copyOf(pending);
  }

  public static PresenceProfile empty(String username) {
    return new PresenceProfile(username, null, List.of(), List.of(), List.of(), 0);
  }

  public boolean hasBuddy(String other) {
    for (Buddy b : buddies) { // a loop, not a stream: asked once per watcher in every fan-out
      if (b.username().equals(other)) {
        return true;
      }
    }
    return false;
  }

  /**
   * What a watcher may see: the watcher's own rule, else allow for the user's buddies, else the
   * rule for everyone ({@code *}), else {@code fallback} (configurable; confirm by default).
   */
  public Rule.Action decide(String watcher, Rule.Action fallback) {
    if (watcher.equals(username)) {
      return Rule.Action.ALLOW;
    }
    // Loops, not streams: decided once per watcher in every fan-out, so nothing allocated here.
    Rule.Action everyone = null;
    for (Rule r : rules) {
      if (r.watcher().equals(watcher)) {
        return r.action();
      }
      if (everyone == null && r.watcher().equals(Rule.EVERYONE)) {
        everyone = r.action();
      }
    }
    if (hasBuddy(watcher)) {
      return Rule.Action.ALLOW;
    }
    return everyone != null ? everyone : fallback;
  }

  public PresenceProfile withManual(ManualState m) {
    return new PresenceProfile(username, m, rules, buddies, pending, version);
  }

  /** Replaces the rules; watchers who now have one are no longer pending. */
  public PresenceProfile withRules(List<Rule> newRules) {
    List<Pending> still = pending.stream().filter(p -> newRules.stream().noneMatch(r -> r.watcher().equals(p.watcher())))
        .toList();
    return new PresenceProfile(username, manual, newRules, buddies, still, version);
  }

  public PresenceProfile withBuddy(Buddy b) {
    List<Buddy> list = new ArrayList<>(buddies.stream().filter(x -> !x.username().equals(b.username())).toList());
    list.add(b);
    return new PresenceProfile(username, manual, rules, list, pending, version);
  }

  public PresenceProfile withoutBuddy(String other) {
    return new PresenceProfile(username, manual, rules,
        buddies.stream().filter(x -> !x.username().equals(other)).toList(), pending, version);
  }

  public PresenceProfile withPending(String watcher, Instant now) {
    if (pending.stream().anyMatch(p -> p.watcher().equals(watcher))) {
      return this;
    }
    List<Pending> list = new ArrayList<>(pending);
    list.add(new Pending(watcher, now));
    return new PresenceProfile(username, manual, rules, buddies, list, version);
  }

  /** The same profile at another store revision. */
  public PresenceProfile withVersion(long v) {
    return new PresenceProfile(username, manual, rules, buddies, pending, v);
  }
}
