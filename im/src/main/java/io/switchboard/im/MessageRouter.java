package io.switchboard.im;

import io.switchboard.core.bus.EventAddresses;
import io.switchboard.core.model.User;
import io.switchboard.core.sip.Binding;
import io.switchboard.core.sip.LocationService;
import io.switchboard.core.store.UserStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The heart of IM: a message from an authenticated sender to a user is made durable, then forked
 * in parallel to every device of the recipient that can show it. The first 2xx makes it DELIVERED
 * (the sender hears 200); when no device accepts it within the fork timeout it is STORED (202) and
 * delivered when one of the recipient's devices next registers. SIP MESSAGE and the web console's
 * POST take this same path.
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

  /** No such user (SIP 404). */
  public record UnknownRecipient(String target) implements Outcome {
  }

  private final Vertx vertx;
  private final UserStore users;
  private final LocationService location;
  private final MessageStore store;
  private final DeviceDelivery delivery;
  private final Clock clock;
  private final long forkTimeoutMillis;

  MessageRouter(Vertx vertx, UserStore users, LocationService location, MessageStore store, DeviceDelivery delivery,
      Clock clock, int forkTimeoutSeconds) {
    this.vertx = vertx;
    this.users = users;
    this.location = location;
    this.store = store;
    this.delivery = delivery;
    this.clock = clock;
    this.forkTimeoutMillis = forkTimeoutSeconds * 1000L;
  }

  /**
   * @param target the user part of the address: a username or an extension
   * @param contentType text/plain or message/cpim (checked by the caller)
   * @param text the readable text (the CPIM inner body for CPIM)
   */
  public Future<Outcome> route(User sender, String target, String contentType, byte[] body, String text) {
    return users.findByUsernameOrExtension(target).compose(found -> {
      if (found.isEmpty() || !found.get().enabled()) {
        return Future.succeededFuture(new UnknownRecipient(target));
      }
      User recipient = found.get();
      StoredMessage m = new StoredMessage(UUID.randomUUID().toString(), sender.username(), displayName(sender),
          recipient.username(), null, StoredMessage.conversationOf(sender.username(), recipient.username()),
          contentType, body, text, MessageState.PENDING, clock.instant(), null, 0);
      return store.insert(m).compose(v -> fork(m));
    });
  }

  /** Convenience for text typed in the console. */
  public Future<Outcome> routeText(User sender, String target, String text) {
    return route(sender, target, "text/plain;charset=UTF-8", text.getBytes(StandardCharsets.UTF_8), text);
  }

  private Future<Outcome> fork(StoredMessage m) {
    List<Binding> devices = location.bindings(m.to()).stream().filter(DeviceDelivery::canShowMessages).toList();
    if (devices.isEmpty()) {
      return store(m);
    }
    Promise<Outcome> outcome = Promise.promise();
    AtomicInteger unanswered = new AtomicInteger(devices.size());
    // Once the sender has heard 202, a device that answers late turns the message DELIVERED.
    java.util.concurrent.atomic.AtomicReference<StoredMessage> current = new java.util.concurrent.atomic.AtomicReference<>(m);
    long timer = vertx.setTimer(forkTimeoutMillis, id -> {
      LOG.debug("fork timeout [message: {}, to: {}]", m.id(), m.to());
      current.set(m.withState(MessageState.STORED, null));
      store(m).onComplete(outcome);
    });
    for (Binding device : devices) {
      delivery.send(m, device).onComplete(r -> {
        boolean ok = r.succeeded() && r.result() >= 200 && r.result() < 300;
        LOG.debug("device answered [message: {}, contact: {}]: {}", m.id(), device.contact(),
            r.succeeded() ? r.result() : r.cause().getMessage());
        if (ok) {
          markDelivered(current.get()).onSuccess(delivered -> {
            if (outcome.tryComplete(new Delivered(delivered))) {
              vertx.cancelTimer(timer);
            }
          });
        } else if (unanswered.decrementAndGet() == 0 && vertx.cancelTimer(timer)) {
          current.set(m.withState(MessageState.STORED, null));
          store(m).onComplete(outcome);
        }
      });
    }
    return outcome.future().onSuccess(o -> {
      if (o instanceof Delivered d) {
        publish(EventAddresses.IM_MESSAGE, d.message());
      }
    });
  }

  private Future<Outcome> store(StoredMessage m) {
    StoredMessage stored = m.withState(MessageState.STORED, null);
    return store.markStored(m.id()).map(v -> {
      publish(EventAddresses.IM_MESSAGE, stored);
      return new Stored(stored);
    });
  }

  /** Marks delivered; publishes a state change when it had been reported as stored before. */
  Future<StoredMessage> markDelivered(StoredMessage m) {
    Instant now = clock.instant();
    StoredMessage delivered = m.withState(MessageState.DELIVERED, now);
    return store.markDelivered(m.id(), now).map(changed -> {
      if (changed && m.state() == MessageState.STORED) {
        publish(EventAddresses.IM_STATE, delivered);
      }
      return delivered;
    });
  }

  void publish(String address, StoredMessage m) {
    vertx.eventBus().publish(address, m.toBus().toJson());
  }

  static String displayName(User u) {
    return u.displayName() == null || u.displayName().isBlank() ? u.username() : u.displayName();
  }
}
