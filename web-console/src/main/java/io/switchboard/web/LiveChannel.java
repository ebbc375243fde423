package io.switchboard.web;

import io.switchboard.api.EventAddresses;
import io.switchboard.api.UserEvent;
import io.switchboard.api.NoContent;
import io.switchboard.api.cluster.ConsoleOpen;
import io.switchboard.api.im.BroadcastEvent;
import io.switchboard.api.presence.DeviceUsed;
import io.switchboard.core.device.DeviceUses;
import io.switchboard.core.metrics.MetricsHistory;
import io.switchboard.core.model.Device;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.sstore.SessionStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/live}: one WebSocket per logged-in browser, carrying only what its user may see.
 * The browser sends nothing but pings and {@code focus} (the user turned to the console: a use of it,
 * {@code DEVICE_USED}): what it receives is decided here from the session, so nobody can ask for
 * someone else's events. Frames are JSON objects with a {@code type}:
 *
 * <table>
 *   <tr><th>type</th><th>from bus address</th><th>sent to</th></tr>
 *   <tr><td>{@code presence} {"username", "presence": {"state", "note", "device"?}}</td><td>PRESENCE_UPDATE</td>
 *       <td>the watcher it names (already filtered by the presentity's rules)</td></tr>
 *   <tr><td>{@code message} {"message": ImMessage}</td><td>IM_MESSAGE</td>
 *       <td>the recipient, and the sender of a one-to-one message (their other browsers)</td></tr>
 *   <tr><td>{@code message-state} {"message": ImMessage}</td><td>IM_STATE</td><td>likewise</td></tr>
 *   <tr><td>{@code call-state} {"state", "peer"}</td><td>CALL_STATE</td><td>the user whose phone it is</td></tr>
 *   <tr><td>{@code call} {"id", "to", "outcome", "reason"}</td><td>CALL_PROGRESS</td><td>the user who clicked</td></tr>
 *   <tr><td>{@code broadcast} {"broadcast": BroadcastInfo} / {@code broadcast-gone} {"id"}</td><td>BROADCAST_CHANGED</td>
 *       <td>its recipients (everyone for "all"); gone: everyone, or the user who dismissed it</td></tr>
 *   <tr><td>{@code conference} {"room", "active", "members"}</td><td>CONFERENCE_CHANGED</td><td>the room's members</td></tr>
 *   <tr><td>{@code voicemail} {"new", "old"}</td><td>VOICEMAIL_WAITING</td><td>the mailbox's owner</td></tr>
 *   <tr><td>{@code metrics} {"samples": [...]}</td><td>(a timer: {@link MetricsHistory})</td>
 *       <td>administrators: the history when their socket opens, then each new sample</td></tr>
 * </table>
 *
 * <p>A user with a console open counts as online for presence ({@code CONSOLE_PRESENCE}), until
 * {@link #OFFLINE_GRACE_MILLIS} after their last console closed. While at least one is open, it is
 * also an IM target: a consumer on {@code CONSOLE_DELIVER.<username>} writes each message IM sends
 * there to the user's sockets and answers once one write succeeded (no browser acknowledgement); the
 * {@code IM_MESSAGE} event that follows is then not forwarded to the recipient again.
 *
 * <p>The socket closes with 4401 when the session ends (logout, timeout) or the account is disabled
 * or deleted; the browser then goes to its login page. The Origin must be this server's own: a
 * WebSocket is not bound by CORS, so this is its CSRF defence. One consumer per address serves every
 * socket (a lookup by username), all on this verticle's context.
 *
 * <p>In a cluster a user may have consoles on several nodes: each node says "online" for its first
 * one, and "offline" only when, its own last one closed and the grace period over, no other node
 * answers on {@link EventAddresses#CONSOLE_OPEN} for the user.
 */
final class LiveChannel {

  private static final Logger LOG = LoggerFactory.getLogger(LiveChannel.class);
  private static final String BROADCAST_SENDER = io.switchboard.core.account.UserRequests.BROADCAST_SENDER;
  /** Close code: the session is over, log in again. */
  static final short SESSION_ENDED = 4401;
  private static final long SESSION_CHECK_MILLIS = 15_000;
  /** How long a user counts as online after their last console closed: a reload or a reconnect is not a goodbye. */
  static final long OFFLINE_GRACE_MILLIS = 20_000;
  /** How long another node has to say it has a console of the user open. */
  private static final long OPEN_ELSEWHERE_TIMEOUT_MILLIS = 5_000;

  private final Vertx vertx;
  private final SessionStore sessions;
  private final Map<String, Set<Client>> byUser = new HashMap<>();
  /** Users whose last console closed, waiting out the grace period: username → timer. */
  private final Map<String, Long> leaving = new HashMap<>();
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
  /** Per user with a console open: the consumer on {@code CONSOLE_DELIVER.<username>}. */
  private final Map<String, MessageConsumer<JsonObject>> deliverers = new HashMap<>();
  /**
   * Per user with a console open here: the consumer on {@link EventAddresses#CONSOLE_OPEN}, which tells
   * another node of a cluster, whose last console of the user closed, that the user is still online.
   */
  private final Map<String, MessageConsumer<JsonObject>> openHere = new HashMap<>();
  /**
   * Ids of messages recently written to their recipient's sockets by a direct delivery, so that the
   * {@code IM_MESSAGE} event that follows is not shown to the recipient a second time. Bounded: an
   * event that never comes (a failed store write) costs one entry until it is pushed out.
   */
  private final Map<String, Boolean> deliveredDirectly = new java.util.LinkedHashMap<>(64, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > 1000;
    }
  };
  private long sweeper = -1;
  private final MetricsHistory metrics;
  /** What the browser sends when the user turns to the console. */
  static final String FOCUS = "focus";
  /** A user's console focus is reported at most this often (milliseconds). */
  static final long FOCUS_EVERY_MILLIS = 30_000;
  /** Per user, when their console's focus was last reported from here. */
  private final Map<String, Long> focusReported = new java.util.concurrent.ConcurrentHashMap<>();
  private long sampler = -1;

  /** @param admin whether the user was an administrator when the socket opened (metrics frames) */
  private record Client(String username, String sessionId, ServerWebSocket socket, boolean admin) {
  }

  /** @param metrics sampled every {@link MetricsHistory#INTERVAL_MILLIS} for the administrators' status page */
  LiveChannel(Vertx vertx, SessionStore sessions, MetricsHistory metrics) {
    this.vertx = vertx;
    this.sessions = sessions;
    this.metrics = metrics;
  }

  /** Listens on the bus; call on the web console's context. */
  Future<Void> start() {
    listen(EventAddresses.PRESENCE_UPDATE, e -> send(e.getString("watcher"), new JsonObject().put("type", "presence")
        .put("username", e.getString("presentity")).put("presence", e.getJsonObject("presence"))));
    listen(EventAddresses.IM_MESSAGE, e -> message("message", e));
    listen(EventAddresses.IM_STATE, e -> message("message-state", e));
    listen(EventAddresses.BROADCAST_CHANGED, this::broadcast);
    listen(EventAddresses.CALL_STATE, e -> send(e.getString("username"), new JsonObject().put("type", "call-state")
        .put("state", e.getString("state")).put("peer", e.getString("peer"))));
    listen(EventAddresses.CALL_PROGRESS, e -> send(e.getString("user"), e.copy().put("type", "call")));
    listen(EventAddresses.CONFERENCE_CHANGED, e -> {
      var c = io.switchboard.api.telephony.ConferenceState.fromJson(e);
      JsonObject frame = RoomsApi.conferenceJson(c).put("type", "conference").put("room", c.room());
      c.audience().forEach(member -> send(member, frame));
    });
    listen(EventAddresses.VOICEMAIL_WAITING, e -> send(e.getString("username"), new JsonObject().put("type", "voicemail")
        .put("new", e.getInteger("new")).put("old", e.getInteger("old"))));
    listen(EventAddresses.USER_CHANGED, e -> {
      UserEvent u = UserEvent.fromJson(e);
      if (!u.enabled()) {
        closeAll(u.username(), "the account was disabled");
      } else if (u.change() == UserEvent.Change.UPDATED) {
        reconnectAdmins(u.username()); // the role may have changed: its sockets open again with the new one
      }
    });
    sweeper = vertx.setPeriodic(SESSION_CHECK_MILLIS, id -> checkSessions());
    sampler = vertx.setPeriodic(MetricsHistory.INTERVAL_MILLIS, id -> sampleMetrics());
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList()).mapEmpty();
  }

  Future<Void> stop() {
    vertx.cancelTimer(sweeper);
    vertx.cancelTimer(sampler);
    leaving.values().forEach(vertx::cancelTimer);
    deliverers.values().forEach(MessageConsumer::unregister);
    openHere.values().forEach(MessageConsumer::unregister);
    byUser.values().forEach(set -> set.forEach(c -> c.socket().close((short) 1001, "server stopping")));
    return Future.all(consumers.stream().map(MessageConsumer::unregister).toList()).mapEmpty();
  }

  /** After {@code authenticated()}: upgrades the request, when its Origin is ours. */
  void upgrade(RoutingContext ctx) {
    String origin = ctx.request().getHeader("Origin");
    String host = ctx.request().getHeader("Host");
    if (origin != null && (host == null || !(origin.equals("http://" + host) || origin.equals("https://" + host)))) {
      LOG.info("Live channel refused [origin: {}, host: {}]", origin, host);
      ctx.fail(new ApiException(403, "forbidden", null, "cross-origin WebSocket refused"));
      return;
    }
    String username = WebConsole.user(ctx).username();
    boolean admin = WebConsole.user(ctx).role() == io.switchboard.core.model.Role.ADMIN;
    String sessionId = ctx.session().id();
    ctx.request().toWebSocket().onComplete(r -> {
      if (r.failed()) {
        LOG.warn("Live channel upgrade failed [user: {}]: {}", username, r.cause().getMessage());
        return;
      }
      ServerWebSocket socket = r.result();
      Client client = new Client(username, sessionId, socket, admin);
      Long timer = leaving.remove(username);
      if (timer != null) {
        vertx.cancelTimer(timer); // back within the grace period: still online
      }
      boolean first = !byUser.containsKey(username);
      byUser.computeIfAbsent(username, u -> new HashSet<>()).add(client);
      if (first) {
        // The console becomes an IM target; then "online" (again, after a grace-period return: presence
        // ignores a repeat) lets IM send what was stored for the user, now that it can be delivered.
        MessageConsumer<JsonObject> deliverer = vertx.eventBus().consumer(EventAddresses.CONSOLE_DELIVER + username,
            m -> deliver(username, m));
        deliverers.put(username, deliverer);
        MessageConsumer<JsonObject> open = vertx.eventBus().consumer(EventAddresses.CONSOLE_OPEN + username,
            m -> m.reply(NoContent.INSTANCE.toJson()));
        openHere.put(username, open);
        Future.join(deliverer.completion(), open.completion()).onComplete(v -> online(username, true));
      }
      LOG.debug("Live channel open [user: {}, sockets: {}]", username, byUser.get(username).size());
      socket.closeHandler(v -> forget(client));
      socket.exceptionHandler(e -> LOG.debug("Live channel error [user: {}]: {}", username, e.getMessage()));
      // The browser pings, and says "focus" when the user turns to the console (a use of it, for the device
      // in use); anything else is answered with a pong and otherwise ignored.
      socket.textMessageHandler(text -> {
        if (FOCUS.equals(text)) {
          focused(username);
        } else {
          socket.writeTextMessage("{\"type\":\"pong\"}");
        }
      });
      socket.writeTextMessage(new JsonObject().put("type", "hello").put("username", username).encode());
      if (admin) {
        socket.writeTextMessage(new JsonObject().put("type", "metrics").put("samples", metrics.history()).encode());
      }
    });
  }

  /** A new sample of the meters, to every administrator's sockets. */
  private void sampleMetrics() {
    String frame = new JsonObject().put("type", "metrics")
        .put("samples", new io.vertx.core.json.JsonArray().add(metrics.sample())).encode();
    for (Set<Client> set : byUser.values()) {
      for (Client c : set) {
        if (c.admin() && !c.socket().isClosed()) {
          c.socket().writeTextMessage(frame);
        }
      }
    }
  }

  /** Closes an administrator's sockets with a code that makes the console reconnect (not a logout). */
  private void reconnectAdmins(String username) {
    Set<Client> set = byUser.get(username);
    if (set != null) {
      List.copyOf(set).stream().filter(Client::admin).forEach(c -> c.socket().close((short) 4000, "account changed"));
    }
  }

  /** Logout: the sockets of that session close at once. */
  void sessionEnded(String sessionId) {
    for (Set<Client> set : List.copyOf(byUser.values())) {
      for (Client c : List.copyOf(set)) {
        if (c.sessionId().equals(sessionId)) {
          c.socket().close(SESSION_ENDED, "logged out");
        }
      }
    }
  }

  /** Open sockets of a user (tests and health). */
  int sockets(String username) {
    Set<Client> set = byUser.get(username);
    return set == null ? 0 : set.size();
  }

  /**
   * IM delivers a message to this user's consoles: a {@code message} frame to each open socket; the
   * reply (success) once it was written to at least one, else failure 503.
   */
  private void deliver(String username, io.vertx.core.eventbus.Message<JsonObject> request) {
    JsonObject m = io.switchboard.api.im.ConsoleDeliver.fromJson(request.body()).message().toJson();
    Set<Client> set = byUser.get(username);
    List<Future<Void>> writes = new ArrayList<>();
    if (set != null && m != null) {
      String text = new JsonObject().put("type", "message").put("message", m).encode();
      for (Client c : set) {
        if (!c.socket().isClosed()) {
          writes.add(c.socket().writeTextMessage(text));
        }
      }
    }
    if (writes.isEmpty()) {
      request.fail(503, "no console open");
      return;
    }
    deliveredDirectly.put(m.getString("id"), Boolean.TRUE);
    Future.any(writes).onComplete(r -> {
      if (r.succeeded()) {
        LOG.debug("Message delivered to console [id: {}, user: {}, sockets: {}]", m.getString("id"), username,
            writes.size());
        request.reply(null);
      } else {
        request.fail(503, "console write failed");
      }
    });
  }

  /**
   * The user turned to a console: a use of the console ({@code DEVICE_USED}), at most once per
   * {@link #FOCUS_EVERY_MILLIS} per user, so that switching windows is not an event each time.
   */
  private void focused(String username) {
    long now = System.currentTimeMillis();
    Long last = focusReported.get(username);
    if (last != null && now - last < FOCUS_EVERY_MILLIS && now >= last) {
      return;
    }
    focusReported.put(username, now);
    vertx.eventBus().publish(EventAddresses.DEVICE_USED,
        new DeviceUsed(username, DeviceUses.CONSOLE, Device.Kind.WEB.wireName(), "focus", now).toJson());
  }

  private void message(String type, JsonObject m) {
    if (BROADCAST_SENDER.equals(m.getString("from"))) {
      return; // a broadcast's copy for the phones: the console shows the broadcast in its ticker
    }
    JsonObject frame = new JsonObject().put("type", type).put("message", m);
    String to = m.getString("to");
    String from = m.getString("from");
    // Already shown to the recipient by a direct delivery: only the sender's browsers hear of it.
    boolean shown = "message".equals(type) && deliveredDirectly.remove(m.getString("id")) != null;
    if (!shown) {
      send(to, frame);
    }
    // A room message is published once per member copy: its sender already has their own copy.
    if (m.getString("room") == null && from != null && !from.equals(to)) {
      send(from, frame);
    }
  }

  private void broadcast(JsonObject e) {
    BroadcastEvent event = BroadcastEvent.fromJson(e);
    JsonObject frame = event.broadcast() == null ? new JsonObject().put("type", "broadcast-gone").put("id", event.id())
        : new JsonObject().put("type", "broadcast").put("broadcast", event.broadcast().toJson());
    if (event.recipients() == null) {
      byUser.keySet().forEach(username -> send(username, frame));
    } else {
      event.recipients().forEach(username -> send(username, frame));
    }
  }

  private void send(String username, JsonObject frame) {
    Set<Client> set = username == null ? null : byUser.get(username);
    if (set == null) {
      return;
    }
    String text = frame.encode();
    for (Client c : set) {
      if (!c.socket().isClosed()) {
        c.socket().writeTextMessage(text);
      }
    }
  }

  private void listen(String address, java.util.function.Consumer<JsonObject> handler) {
    consumers.add(vertx.eventBus().<JsonObject>consumer(address, m -> handler.accept(m.body())));
  }

  private void forget(Client client) {
    Set<Client> set = byUser.get(client.username());
    if (set != null && set.remove(client) && set.isEmpty()) {
      byUser.remove(client.username());
      MessageConsumer<JsonObject> deliverer = deliverers.remove(client.username());
      if (deliverer != null) {
        deliverer.unregister(); // no console: messages are stored (NO_HANDLERS) at once
      }
      MessageConsumer<JsonObject> open = openHere.remove(client.username());
      if (open != null) {
        open.unregister();
      }
      leaving.put(client.username(), vertx.setTimer(OFFLINE_GRACE_MILLIS, id -> {
        leaving.remove(client.username());
        offlineUnlessOpenElsewhere(client.username());
      }));
    }
  }

  /** Asks the other nodes first: a console of the user's open on any of them keeps the user online. */
  private void offlineUnlessOpenElsewhere(String username) {
    vertx.eventBus().request(EventAddresses.CONSOLE_OPEN + username, new ConsoleOpen(username).toJson(),
        new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(OPEN_ELSEWHERE_TIMEOUT_MILLIS)).onComplete(r -> {
          if (r.succeeded()) {
            LOG.debug("Last console closed here, one still open on another node [user: {}]", username);
          } else if (!byUser.containsKey(username) && !leaving.containsKey(username)) {
            online(username, false);
          }
        });
  }

  private void online(String username, boolean online) {
    vertx.eventBus().publish(EventAddresses.CONSOLE_PRESENCE, new io.switchboard.api.ConsolePresence(username, online)
        .toJson());
  }

  private void closeAll(String username, String why) {
    Set<Client> set = byUser.get(username);
    if (set != null) {
      List.copyOf(set).forEach(c -> c.socket().close(SESSION_ENDED, why));
    }
  }

  /**
   * A session that timed out leaves no trace but its absence from the store. A console that is open
   * keeps its session alive, as a chat client should: someone who only reads and watches their
   * buddies for an hour is not logged out; closing the tab lets the idle timeout run again.
   */
  private void checkSessions() {
    for (Set<Client> set : List.copyOf(byUser.values())) {
      for (Client c : List.copyOf(set)) {
        sessions.get(c.sessionId()).onSuccess(s -> {
          if (s == null || s.isDestroyed() || s.lastAccessed() + s.timeout() < System.currentTimeMillis()) {
            c.socket().close(SESSION_ENDED, "the session has ended");
          } else {
            s.setAccessed();
            sessions.put(s);
          }
        });
      }
    }
  }
}
