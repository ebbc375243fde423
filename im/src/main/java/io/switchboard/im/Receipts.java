package io.switchboard.im;

import io.switchboard.api.BusFailure;
import io.switchboard.api.EventAddresses;
import io.switchboard.core.model.User;
import io.switchboard.core.sip.LocationService;
import io.switchboard.core.store.UserStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivery and display receipts (IMDN, RFC 5438) between CPIM clients, phones and the console:
 *
 * <ul>
 *   <li>an IMDN a recipient's device sends is recorded on the original message (found by the
 *       {@code imdn.Message-ID} its sender gave it), shown to the sender's consoles when it says
 *       "displayed", and forwarded to the sender's CPIM devices;</li>
 *   <li>Switchboard sends the notification itself, as an intermediary may (§9.1.1, §9.3), when the
 *       recipient will not: "delivered" when a message asking for positive-delivery was taken by a
 *       device that got it as text (it never saw the request) or by the console; "failed" when one
 *       asking for negative-delivery expires stored; "displayed" when the recipient's console showed
 *       one asking for display.</li>
 * </ul>
 *
 * Notifications go only to devices that accept CPIM (a text phone would show the XML) and are not
 * stored for later: the receipt stays on the message in the store, where the console reads it.
 */
final class Receipts {

  private static final Logger LOG = LoggerFactory.getLogger(Receipts.class);

  private final Vertx vertx;
  private final UserStore users;
  private final MessageStore store;
  private final LocationService location;
  private final DeviceDelivery delivery;
  private final String domain;
  private final Clock clock;
  private final MessageIds ids;

  Receipts(Vertx vertx, UserStore users, MessageStore store, LocationService location, DeviceDelivery delivery,
      String domain, Clock clock) {
    this.vertx = vertx;
    this.users = users;
    this.store = store;
    this.location = location;
    this.delivery = delivery;
    this.domain = domain;
    this.clock = clock;
    this.ids = new MessageIds(clock);
  }

  /**
   * An IMDN from a device of {@code reporter} (the original's recipient) to {@code target} (its sender).
   *
   * @param cpim the notification in its CPIM envelope, forwarded as it came; null when it came bare
   */
  Future<Void> fromDevice(User reporter, String target, Imdn imdn, byte[] cpim) {
    return users.findByUsernameOrExtension(target).compose(found -> {
      if (found.isEmpty()) {
        LOG.debug("IMDN for an unknown user dropped [from: {}, to: {}, message-id: {}]", reporter.username(), target,
            imdn.messageId());
        return Future.succeededFuture();
      }
      User sender = found.get();
      byte[] envelope = cpim != null ? cpim
          : imdn.toCpim(aor(reporter.username()), aor(sender.username()), ids.next(), aor(reporter.username()));
      forward(reporter.username(), MessageRouter.displayName(reporter), sender.username(), envelope);
      return store.findByImdnId(reporter.username(), imdn.messageId()).compose(original -> {
        if (original.isEmpty() || !original.get().from().equals(sender.username())) {
          LOG.debug("IMDN for a message not in the store [from: {}, to: {}, message-id: {}]", reporter.username(),
              sender.username(), imdn.messageId());
          return Future.succeededFuture();
        }
        return record(original.get(), imdn.status()).mapEmpty();
      });
    });
  }

  /** Taken by a device (or console) that will not send a delivery notification itself. */
  void deliveredWithoutImdn(StoredMessage m) {
    generate(m, Imdn.Kind.DELIVERY, "delivered", Imdn.Request.POSITIVE_DELIVERY);
  }

  /** Expired stored, never delivered. */
  void expired(StoredMessage m) {
    generate(m, Imdn.Kind.DELIVERY, "failed", Imdn.Request.NEGATIVE_DELIVERY);
  }

  /**
   * The recipient's console showed message {@code id}: recorded once, published, and a display notification
   * to the sender's CPIM devices when the original asked for one. Fails 404 unless {@code username} received it.
   */
  Future<StoredMessage> seen(String username, String id) {
    return store.find(id).compose(found -> {
      if (found.isEmpty() || !found.get().to().equals(username) || found.get().from().equals(username)) {
        return Future.failedFuture(BusFailure.notFound("id", "no message " + id + " received by you"));
      }
      StoredMessage m = found.get();
      if (m.displayedAt() != null) {
        return Future.succeededFuture(m);
      }
      return record(m, "displayed").map(seen -> {
        if (seen.displayedAt() != null && m.room() == null) {
          generate(m, Imdn.Kind.DISPLAY, "displayed", Imdn.Request.DISPLAY);
        }
        return seen;
      });
    });
  }

  /** Recorded once per status; a first "displayed" is published for the consoles (sender: "seen"). */
  private Future<StoredMessage> record(StoredMessage m, String status) {
    Instant at = clock.instant();
    return store.recordReceipt(m.id(), status, at).map(first -> {
      LOG.debug("Receipt [message: {}, from: {}, to: {}, status: {}, first: {}]", m.id(), m.from(), m.to(), status,
          first);
      if (first && "displayed".equals(status)) {
        StoredMessage seen = m.withDisplayed(at);
        vertx.eventBus().publish(EventAddresses.IM_STATE, seen.toBus().toJson());
        return seen;
      }
      return m;
    });
  }

  private void generate(StoredMessage m, Imdn.Kind kind, String status, Imdn.Request asked) {
    if (m.room() != null) {
      return;
    }
    Imdn.Envelope envelope = Imdn.envelope(m);
    if (!envelope.asks(asked)) {
      return;
    }
    Imdn n = new Imdn(envelope.messageId(), clock.instant().toString(), kind, status);
    // Recorded first (display was recorded by the caller), so that whoever hears of it finds it in the store.
    Future<Boolean> recorded = kind == Imdn.Kind.DELIVERY ? store.recordReceipt(m.id(), status, clock.instant())
        : Future.succeededFuture(true);
    recorded.onComplete(r -> {
      if (r.failed()) {
        LOG.warn("Receipt not recorded [message: {}, status: {}]: {}", m.id(), status, r.cause().getMessage());
      }
      LOG.debug("IMDN on the recipient's behalf [message: {}, message-id: {}, status: {}]", m.id(),
          envelope.messageId(), status);
      forward(m.to(), m.to(), m.from(), n.toCpim(aor(m.to()), aor(m.from()), ids.next(), aor(m.to())));
    });
  }

  /** The notification to every device of {@code to} that accepts CPIM; not stored when none does. */
  private void forward(String from, String fromDisplayName, String to, byte[] cpim) {
    StoredMessage carrier = new StoredMessage("imdn-" + ids.next(), from, fromDisplayName, to, null,
        StoredMessage.conversationOf(from, to), Cpim.CONTENT_TYPE, cpim, "", MessageState.PENDING, clock.instant(),
        null, 0);
    location.loaded(to).compose(v -> delivery.views(location.bindings(to))).onComplete(r -> {
      if (r.failed()) {
        LOG.warn("IMDN not forwarded [from: {}, to: {}]: {}", from, to, r.cause().getMessage());
        return;
      }
      r.result().stream().filter(Receipts::takesCpim).forEach(device -> delivery.start(carrier, device).status()
          .onComplete(s -> LOG.debug("IMDN forwarded [from: {}, to: {}, contact: {}]: {}", from, to,
              device.binding().contact(), s.succeeded() ? s.result() : s.cause().getMessage())));
    });
  }

  /** A device that takes CPIM as it is: it may also send and read IMDNs. */
  static boolean takesCpim(DeviceView d) {
    return d.accept().contains(Cpim.CONTENT_TYPE);
  }

  private String aor(String username) {
    return "<sip:" + username + "@" + domain + ">";
  }
}
