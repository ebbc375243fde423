package io.switchboard.presence;

import io.switchboard.api.EventAddresses;
import io.switchboard.core.store.UserStore;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Presence's requests on the event bus, for the web console; runs on the SIP context with the rest. */
final class PresenceBusApi {

  static final int MAX_NOTE = 200;

  private final PresenceService presence;
  private final UserStore users;
  private final io.switchboard.api.BusConsumers consumers;

  PresenceBusApi(PresenceService presence, UserStore users) {
    this.presence = presence;
    this.users = users;
    this.consumers = new io.switchboard.api.BusConsumers(presence.vertx());
  }

  Future<Void> start() {
    return Future.all(
        consumers.<JsonObject>consumer(EventAddresses.PRESENCE_GET, loaded(this::get)),
        consumers.<JsonObject>consumer(EventAddresses.PRESENCE_SET, loaded(this::set)),
        consumers.<JsonObject>consumer(EventAddresses.PRESENCE_BUDDIES, loaded(this::buddies)),
        consumers.<JsonObject>consumer(EventAddresses.PRESENCE_RULES, loaded(this::rules)),
        consumers.<JsonObject>consumer(EventAddresses.PRESENCE_PENDING, loaded(this::pending))).mapEmpty();
  }

  /**
   * A console's request right after start waits until every profile and binding is in: a buddy
   * list shows what each buddy's rules and devices say, and a change fans out to every buddy list.
   */
  private Handler<Message<JsonObject>> loaded(Handler<Message<JsonObject>> handler) {
    return msg -> {
      Future<Void> loaded = presence.allLoaded();
      if (loaded.succeeded()) {
        handler.handle(msg);
      } else {
        loaded.onComplete(r -> {
          if (r.succeeded()) {
            handler.handle(msg);
          } else {
            msg.fail(503, "presence is not loaded yet");
          }
        });
      }
    };
  }

  Future<Void> stop() {
    return consumers.unregisterAll();
  }

  private void get(Message<JsonObject> msg) {
    String user = msg.body().getString("user");
    String of = msg.body().getString("of");
    users.findByUsernameOrExtension(of).onComplete(r -> {
      if (r.failed()) {
        msg.fail(503, "the store is unavailable");
      } else if (r.result().isEmpty()) {
        msg.fail(404, "user: no user " + of);
      } else {
        String presentity = r.result().get().username();
        PresenceView view = presence.viewFor(presentity, user);
        if (view == null) {
          msg.fail(403, "user: " + presentity + " has not allowed you to see their presence");
        } else {
          msg.reply(new JsonObject().put("username", presentity).put("presence", view.toJson()));
        }
      }
    });
  }

  private void set(Message<JsonObject> msg) {
    JsonObject q = msg.body();
    PresenceState state = PresenceState.manual(q.getString("state"));
    if (state == null) {
      msg.fail(400, "state: one of available, away, busy, dnd");
      return;
    }
    String note = q.getString("note");
    if (note != null && (note.length() > MAX_NOTE || note.chars().anyMatch(c -> c < 0x20))) {
      msg.fail(400, "note: at most " + MAX_NOTE + " characters, no control characters");
      return;
    }
    Instant until = null;
    if (q.getString("until") != null) {
      try {
        until = Instant.parse(q.getString("until"));
      } catch (DateTimeParseException e) {
        msg.fail(400, "until: an ISO-8601 instant such as 2026-01-31T12:00:00Z");
        return;
      }
      if (!until.isAfter(presence.now())) {
        msg.fail(400, "until: must be in the future");
        return;
      }
    }
    // "available" with no note and no end is no manual state at all: back to automatic.
    ManualState manual = state == PresenceState.AVAILABLE && note == null && until == null ? null
        : new ManualState(state, note == null || note.isBlank() ? null : note, until);
    presence.setManual(q.getString("user"), manual).onComplete(r -> reply(msg, r, v -> v.toJson()));
  }

  private void buddies(Message<JsonObject> msg) {
    JsonObject q = msg.body();
    String user = q.getString("user");
    String op = q.getString("op", "list");
    switch (op) {
      case "list" -> msg.reply(buddyList(user));
      case "add" -> {
        String name = q.getString("username");
        if (name == null || name.isBlank()) {
          msg.fail(400, "username: required");
          return;
        }
        users.findByUsernameOrExtension(name).onComplete(r -> {
          if (r.failed()) {
            msg.fail(503, "the store is unavailable");
          } else if (r.result().isEmpty()) {
            msg.fail(404, "username: no user " + name);
          } else if (r.result().get().username().equals(user)) {
            msg.fail(400, "username: you cannot be your own buddy");
          } else {
            var found = r.result().get();
            String group = q.getString("group");
            String display = q.getString("displayName", found.displayName());
            if ((group != null && group.length() > 64) || (display != null && display.length() > 64)) {
              msg.fail(400, "group: at most 64 characters");
              return;
            }
            presence.buddies(user, p -> p.withBuddy(new PresenceProfile.Buddy(found.username(), group, display)))
                .onComplete(x -> reply(msg, x, p -> buddyList(user)));
          }
        });
      }
      case "remove" -> {
        String name = q.getString("username");
        if (!presence.profile(user).hasBuddy(name)) {
          msg.fail(404, "username: " + name + " is not on your buddy list");
          return;
        }
        presence.buddies(user, p -> p.withoutBuddy(name)).onComplete(x -> reply(msg, x, p -> buddyList(user)));
      }
      default -> msg.fail(400, "op: list, add or remove");
    }
  }

  private JsonObject buddyList(String user) {
    JsonArray out = new JsonArray();
    for (PresenceProfile.Buddy b : presence.profile(user).buddies()) {
      PresenceView view = presence.viewFor(b.username(), user);
      out.add(b.toJson().put("presence", (view == null ? PresenceView.OFFLINE : view).toJson())
          .put("visible", view != null));
    }
    return new JsonObject().put("buddies", out);
  }

  private void rules(Message<JsonObject> msg) {
    JsonObject q = msg.body();
    String user = q.getString("user");
    if ("put".equals(q.getString("op"))) {
      JsonArray given = q.getJsonArray("rules");
      if (given == null) {
        msg.fail(400, "rules: required, a list of {watcher, action}");
        return;
      }
      List<Rule> rules = new ArrayList<>();
      Set<String> seen = new HashSet<>();
      for (Object o : given) {
        if (!(o instanceof JsonObject r) || !(r.getValue("watcher") instanceof String w) || w.isBlank()) {
          msg.fail(400, "rules: each rule needs a watcher (a username or *)");
          return;
        }
        Rule.Action action = Rule.Action.fromWire(r.getString("action"));
        if (action == null) {
          msg.fail(400, "rules: action of " + w + " must be allow, block, polite-block or confirm");
          return;
        }
        if (!seen.add(w)) {
          msg.fail(400, "rules: " + w + " appears twice");
          return;
        }
        rules.add(new Rule(w, action));
      }
      presence.setRules(user, rules).onComplete(x -> reply(msg, x, p -> rulesOf(p)));
    } else {
      msg.reply(rulesOf(presence.profile(user)));
    }
  }

  private static JsonObject rulesOf(PresenceProfile p) {
    JsonArray out = new JsonArray();
    p.rules().forEach(r -> out.add(r.toJson()));
    return new JsonObject().put("rules", out);
  }

  private void pending(Message<JsonObject> msg) {
    JsonArray out = new JsonArray();
    presence.profile(msg.body().getString("user")).pending().forEach(p -> out.add(p.toJson()));
    msg.reply(new JsonObject().put("pending", out));
  }

  private static <T> void reply(Message<JsonObject> msg, io.vertx.core.AsyncResult<T> r,
      java.util.function.Function<T, JsonObject> body) {
    if (r.failed()) {
      msg.fail(503, "the store is unavailable");
    } else {
      msg.reply(body.apply(r.result()));
    }
  }
}
