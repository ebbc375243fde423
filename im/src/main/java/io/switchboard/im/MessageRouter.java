package io.switchboard.im;

import io.switchboard.api.EventAddresses;
import io.switchboard.core.device.DeviceClass;
import io.switchboard.core.device.DeviceUses;
import io.switchboard.core.device.DevicesInUse;
import io.switchboard.api.im.FileRef;
import io.switchboard.core.metrics.Metrics;
import io.switchboard.core.model.Device;
import io.switchboard.core.model.User;
import io.switchboard.core.sip.Binding;
import io.switchboard.core.sip.LocationService;
import io.switchboard.core.store.UserStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The heart of IM: a message from an authenticated sender to a user is forked in parallel to every
 * device of the recipient that can show it, and to their open web console if any. The first 2xx
 * (or the console taking it) makes it DELIVERED; when nothing accepts it within the fork timeout it
 * is STORED and delivered when one of the recipient's devices next registers or a console opens.
 * Either way it is written to the store before the sender hears 200 or 202, so an answered message
 * is never lost; one the sender never heard about (a crash mid-fork) is the sender's to retry, as
 * SIP intends. SIP MESSAGE and the web console's POST take this path.
 */
public final class MessageRouter {

  private static final Logger LOG = LoggerFactory.getLogger(MessageRouter.class);

  /** The outcome the sender hears about. */
  public sealed interface Outcome {
  }

  /** At least one device took it (SIP 200). */
  public record Delivered(StoredMessage message) implements Outcome {
  }

  /** Kept for later (SIP 202). */
  public record Stored(StoredMessage message) implements Outcome {
  }

  /** No such user or room (SIP 404). */
  public record UnknownRecipient(String target) implements Outcome {
  }

  /** The sender is not a member of the room (SIP 403). */
  public record NotAMember(String room) implements Outcome {
  }

  private final Vertx vertx;
  private final UserStore users;
  private final RoomStore rooms;
  private final String domain;
  private final LocationService location;
  private final MessageStore store;
  private final DeviceDelivery delivery;
  private final Clock clock;
  private final MessageIds ids;
  private final long forkTimeoutMillis;
  /**
   * Users with a web console open (as {@code CONSOLE_PRESENCE} said, through {@link #consolePresence}):
   * only they get the console branch, so that a message to anyone else costs no request on the event
   * bus (a reply address, a timer and a NO_HANDLERS failure per message). A console that opened just as
   * the message was forked misses it live; the message was then delivered to a device (the console
   * shows it from the IM_MESSAGE event) or stored, and the stored delivery for the opening console
   * sends it.
   */
  private final java.util.Set<String> consolesOpen = ConcurrentHashMap.newKeySet();
  /** Per message, its last write: a message's writes may start on two SIP contexts (its recipient's, the home one). */
  private final Map<String, Future<?>> writes = new ConcurrentHashMap<>();
  private final Metrics metrics;
  /** IMDN: notifications Switchboard sends for recipients that will not (see {@link Receipts}). */
  private final Receipts receipts;
  /** The last use of each device: the device in use is tried first. */
  private final DevicesInUse inUse;

  MessageRouter(Vertx vertx, UserStore users, RoomStore rooms, String domain, LocationService location,
      MessageStore store, DeviceDelivery delivery, Clock clock, int forkTimeoutSeconds, Metrics metrics,
      Receipts receipts) {
    this(vertx, users, rooms, domain, location, store, delivery, clock, forkTimeoutSeconds, metrics, receipts,
        new DevicesInUse(java.time.Duration.ofSeconds(600)));
  }

  MessageRouter(Vertx vertx, UserStore users, RoomStore rooms, String domain, LocationService location,
      MessageStore store, DeviceDelivery delivery, Clock clock, int forkTimeoutSeconds, Metrics metrics,
      Receipts receipts, DevicesInUse inUse) {
    this.inUse = inUse;
    this.vertx = vertx;
    this.users = users;
    this.rooms = rooms;
    this.domain = domain;
    this.location = location;
    this.store = store;
    this.delivery = delivery;
    this.clock = clock;
    this.ids = new MessageIds(clock);
    this.forkTimeoutMillis = forkTimeoutSeconds * 1000L;
    this.metrics = metrics;
    this.receipts = receipts;
  }

  /**
   * @param target the user part of the address: a username or an extension
   * @param contentType text/plain or message/cpim (checked by the caller)
   * @param text the readable text (the CPIM inner body for CPIM)
   */
  public Future<Outcome> route(User sender, String target, String contentType, byte[] body, String text) {
    return route(sender, target, contentType, body, text, null);
  }

  /** As {@link #route(User, String, String, byte[], String)}, for a message that carries {@code file} (or null). */
  Future<Outcome> route(User sender, String target, String contentType, byte[] body, String text, FileRef file) {
    if (target.startsWith(Room.ADDRESS_PREFIX)) {
      return routeToRoom(sender, target.substring(Room.ADDRESS_PREFIX.length()), text, file);
    }
    return users.findByUsernameOrExtension(target).compose(found -> {
      if (found.isEmpty() || !found.get().enabled()) {
        return Future.succeededFuture(new UnknownRecipient(target));
      }
      User recipient = found.get();
      StoredMessage m = new StoredMessage(ids.next(), sender.username(), displayName(sender),
          recipient.username(), null, StoredMessage.conversationOf(sender.username(), recipient.username()),
          contentType, body, text, MessageState.PENDING, clock.instant(), null, 0, file);
      return fork(m);
    });
  }

  /**
   * A room message goes to every member but the sender, each copy with its own store-and-forward,
   * as CPIM naming the original sender (turned into "Name: text" for text-only phones). The sender
   * keeps a copy of their own for the room's history. 200 when any member's device took it.
   */
  private Future<Outcome> routeToRoom(User sender, String roomName, String text, FileRef file) {
    return rooms.find(roomName).compose(found -> {
      if (found.isEmpty()) {
        return Future.succeededFuture(new UnknownRecipient(Room.ADDRESS_PREFIX + roomName));
      }
      Room room = found.get();
      if (!room.members().contains(sender.username())) {
        return Future.succeededFuture(new NotAMember(roomName));
      }
      Instant now = clock.instant();
      String group = ids.next();
      byte[] cpim = Cpim.render(displayName(sender) + " <sip:" + sender.username() + "@" + domain + ">",
          "<sip:" + Room.ADDRESS_PREFIX + roomName + "@" + domain + ">", now.toString(), text);
      String conversation = "room:" + roomName;
      List<Future<Outcome>> copies = room.members().stream().filter(member -> !member.equals(sender.username()))
          .map(member -> fork(new StoredMessage(group + "/" + member, sender.username(), displayName(sender), member,
              roomName, conversation, Cpim.CONTENT_TYPE, cpim, text, MessageState.PENDING, now, null, 0, file)))
          .toList();
      StoredMessage own = new StoredMessage(group + "/" + sender.username(), sender.username(), displayName(sender),
          sender.username(), roomName, conversation, Cpim.CONTENT_TYPE, cpim, text, MessageState.DELIVERED, now, now, 0,
          file);
      return Future.all(copies).compose(all -> store.insert(own).map(v -> {
        boolean anyDelivered = copies.stream().anyMatch(c -> c.result() instanceof Delivered);
        return anyDelivered ? new Delivered(own) : new Stored(own.withState(MessageState.STORED, null));
      }));
    });
  }

  /** Convenience for text typed in the console. */
  public Future<Outcome> routeText(User sender, String target, String text) {
    return route(sender, target, "text/plain;charset=UTF-8", text.getBytes(StandardCharsets.UTF_8), text);
  }

  /** A broadcast's copy for one recipient: to their devices, or stored for them (never to the console, whose ticker shows it). */
  Future<Outcome> routeCopy(StoredMessage copy) {
    return fork(copy);
  }

  private Future<Outcome> fork(StoredMessage m) {
    // Right after start the recipient's stored bindings may still be on their way: read theirs first.
    return location.loaded(m.to()).compose(v -> delivery.views(location.bindings(m.to())))
        .compose(all -> fork(m, inUseFirst(m.to(), all.stream().filter(DeviceDelivery::canShowMessages).toList())));
  }

  /**
   * The recipient's devices with the device in use first ({@link DevicesInUse}), the others in their
   * order: its MESSAGE leaves first. Whichever device answers 2xx first answers the sender; the others
   * still get the message, and their answers (however late) change nothing for the sender.
   */
  private List<DeviceView> inUseFirst(String user, List<DeviceView> devices) {
    if (devices.size() < 2) {
      return devices;
    }
    Map<String, DevicesInUse.Use> uses = inUse.uses(user);
    Map<String, Device.Kind> candidates = new java.util.LinkedHashMap<>();
    for (DeviceView d : devices) {
      String id = DeviceUses.idOf(d.binding());
      DevicesInUse.Use use = uses.get(id);
      candidates.putIfAbsent(id, use != null ? use.kind() : DeviceClass.fromUserAgent(d.binding().userAgent()));
    }
    String used = inUse.inUse(user, candidates, clock.instant()).orElse(null);
    if (used == null) {
      return devices;
    }
    List<DeviceView> ordered = new java.util.ArrayList<>(devices.size());
    devices.stream().filter(d -> used.equals(DeviceUses.idOf(d.binding()))).forEach(ordered::add);
    devices.stream().filter(d -> !used.equals(DeviceUses.idOf(d.binding()))).forEach(ordered::add);
    return ordered;
  }

  /**
   * Every device of the recipient and their open web console (if any) are tried in parallel; the
   * console is one more branch, answering through the live channel; with neither, it is stored at
   * once. Once the message is stored (202), the fork is over: the branches still sending are stopped,
   * and the stored delivery is the only way on to a device, so that a device sees each message once
   * and in order.
   */
  private Future<Outcome> fork(StoredMessage m, List<DeviceView> devices) {
    long started = System.nanoTime();
    metrics.message(Metrics.MessageOutcome.ACCEPTED);
    List<Branch> branches = new java.util.ArrayList<>(devices.size() + 1);
    for (DeviceView device : devices) {
      DeviceDelivery.Sending sending = delivery.start(m, device);
      branches.add(new Branch(device.binding().contact(), sending.status().map(status -> status >= 200 && status < 300),
          sending.stop(), sendsImdn(m, device)));
    }
    if (consolesOpen.contains(m.to()) && Broadcast.copyOf(m) == null) {
      branches.add(new Branch("web console", toConsole(m).map(true), () -> { }, false));
    }
    if (branches.isEmpty()) {
      // Nothing to try: stored at once, with no timer and no round trip on the event bus.
      return stored(m).onSuccess(o -> {
        metrics.messageForked(System.nanoTime() - started);
        metrics.message(Metrics.MessageOutcome.STORED);
      });
    }
    Promise<Outcome> outcome = Promise.promise();
    AtomicInteger unanswered = new AtomicInteger(branches.size());
    // Decided here, on the recipient's SIP context: PENDING, then STORED (timeout, every branch refused) or
    // DELIVERED (first success). Nothing after STORED changes it here: only a stored delivery does.
    AtomicReference<MessageState> state = new AtomicReference<>(MessageState.PENDING);
    long timer = vertx.setTimer(forkTimeoutMillis, id -> {
      if (state.compareAndSet(MessageState.PENDING, MessageState.STORED)) {
        LOG.debug("fork timeout [message: {}, to: {}]", m.id(), m.to());
        // Before the store write, so no retransmission can reach a device after its stored delivery.
        branches.forEach(b -> b.stop().run());
        stored(m).onComplete(outcome);
      }
    });
    for (Branch branch : branches) {
      branch.result().onComplete(r -> {
        boolean ok = r.succeeded() && r.result();
        if (LOG.isDebugEnabled()) { // four arguments: an array and a boxed result per message otherwise
          LOG.debug("branch answered [message: {}, to: {}, branch: {}]: {}", m.id(), m.to(), branch.name(),
              r.succeeded() ? r.result() : r.cause().getMessage());
        }
        if (ok) {
          if (state.compareAndSet(MessageState.PENDING, MessageState.DELIVERED)) {
            vertx.cancelTimer(timer);
            delivered(m).onSuccess(d -> {
              publish(EventAddresses.IM_MESSAGE, d);
              deliveredBy(d, branch.sendsImdn());
            }).<Outcome>map(Delivered::new)
                .onComplete(outcome);
          } else if (state.get() == MessageState.STORED) {
            // Answered as it was being stopped: harmless, the stored delivery decides (and sets deliveredAt).
            LOG.info("late answer ignored, the message is stored [message: {}, to: {}, branch: {}]", m.id(), m.to(),
                branch.name());
          }
        } else if (unanswered.decrementAndGet() == 0 && state.compareAndSet(MessageState.PENDING, MessageState.STORED)) {
          vertx.cancelTimer(timer);
          stored(m).onComplete(outcome);
        }
      });
    }
    return outcome.future().onSuccess(o -> {
      metrics.messageForked(System.nanoTime() - started);
      metrics.message(o instanceof Delivered ? Metrics.MessageOutcome.DELIVERED : Metrics.MessageOutcome.STORED);
    });
  }

  /**
   * One way to the recipient: true when it took the message; stop ends it (no-op once answered).
   *
   * @param sendsImdn whether the recipient there may send the IMDN itself (a CPIM device, which got the request)
   */
  private record Branch(String name, Future<Boolean> result, Runnable stop, boolean sendsImdn) {
  }

  /** A device that gets the message as CPIM sees its IMDN request and answers it itself. */
  static boolean sendsImdn(StoredMessage m, DeviceView device) {
    return m.isCpim() && Receipts.takesCpim(device);
  }

  /** The message reached a device or console: one that does not send IMDNs gets its delivery notification from us. */
  void deliveredBy(StoredMessage m, boolean sendsImdn) {
    if (!sendsImdn) {
      receipts.deliveredWithoutImdn(m);
    }
  }

  /**
   * The recipient's open web console, through the live channel: succeeds once the message was
   * written to one of their sockets; fails at once (NO_HANDLERS) when no console is open, or after
   * the fork timeout.
   */
  Future<Void> toConsole(StoredMessage m) {
    JsonObject request = new io.switchboard.api.im.ConsoleDeliver(
        m.withState(MessageState.DELIVERED, clock.instant()).toBus()).toJson();
    return vertx.eventBus().request(EventAddresses.CONSOLE_DELIVER + m.to(), request,
        new DeliveryOptions().setSendTimeout(forkTimeoutMillis)).mapEmpty();
  }

  /** A console of the user's opened (true) or the last one closed (false): see {@link #consolesOpen}. Any context. */
  void consolePresence(String username, boolean open) {
    if (open) {
      consolesOpen.add(username);
    } else {
      consolesOpen.remove(username);
    }
  }

  private Future<Outcome> stored(StoredMessage m) {
    StoredMessage stored = m.withState(MessageState.STORED, null);
    return write(m.id(), () -> store.insert(stored)).map(v -> {
      publish(EventAddresses.IM_MESSAGE, stored);
      return new Stored(stored);
    });
  }

  /** First delivery of a message that was never stored: one insert, already DELIVERED. */
  private Future<StoredMessage> delivered(StoredMessage m) {
    StoredMessage delivered = m.withState(MessageState.DELIVERED, clock.instant());
    return write(m.id(), () -> store.insert(delivered)).map(v -> delivered);
  }

  /**
   * A stored message reached a device: DELIVERED, announced as a state change. Only a STORED message
   * changes, so deliveredAt is written once; empty when it was no longer STORED (expired meanwhile).
   */
  Future<java.util.Optional<StoredMessage>> markDelivered(StoredMessage stored) {
    Instant now = clock.instant();
    return write(stored.id(), () -> store.markDelivered(stored.id(), now))
        .map(yes -> {
          if (!yes) {
            LOG.info("not marked delivered, no longer stored [message: {}, to: {}]", stored.id(), stored.to());
            return java.util.Optional.<StoredMessage>empty();
          }
          StoredMessage d = stored.withState(MessageState.DELIVERED, now);
          metrics.message(Metrics.MessageOutcome.DELIVERED);
          publish(EventAddresses.IM_STATE, d);
          return java.util.Optional.of(d);
        });
  }

  /**
   * Writes of one message, chained so that they reach the store in the order they were decided (a
   * late DELIVERED must not overtake the insert of the STORED message before it). Any context.
   */
  @SuppressWarnings("unchecked")
  private <T> Future<T> write(String id, java.util.function.Supplier<Future<T>> operation) {
    Future<T> next = (Future<T>) writes.compute(id, (k, previous) -> previous == null ? operation.get()
        : previous.transform(ignored -> operation.get()));
    next.onComplete(r -> writes.remove(id, next));
    return next;
  }

  /** A stored message expired unread (told by the stored delivery). */
  void expired(StoredMessage m) {
    metrics.message(Metrics.MessageOutcome.EXPIRED);
    publish(EventAddresses.IM_STATE, m);
    receipts.expired(m);
  }

  void publish(String address, StoredMessage m) {
    vertx.eventBus().publish(address, m.toBus().toJson());
  }

  static String displayName(User u) {
    return u.displayName() == null || u.displayName().isBlank() ? u.username() : u.displayName();
  }
}
