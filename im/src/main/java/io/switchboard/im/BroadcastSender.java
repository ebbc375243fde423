package io.switchboard.im;

import io.switchboard.api.EventAddresses;
import io.switchboard.api.im.BroadcastEvent;
import io.switchboard.core.sip.LocationService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a broadcast to phones and ends it. Each recipient gets a copy: a stored message from
 * {@code sip:broadcast@domain} (conversation {@code broadcast:<id>}), forked to their devices like any
 * message (not to the console: it shows broadcasts in its ticker) and otherwise stored, so that the
 * stored delivery sends it when a phone registers. A copy is sent only while its broadcast is current
 * ({@link #due}); ending a broadcast (withdrawn, replaced) expires the copies still stored.
 */
final class BroadcastSender {

  private static final Logger LOG = LoggerFactory.getLogger(BroadcastSender.class);
  /** The From's user part: {@code sip:broadcast@domain} (a reserved username). */
  static final String SENDER = io.switchboard.core.account.UserRequests.BROADCAST_SENDER;
  /** Recipients forked at once: a broadcast to everyone must not start thousands of transactions in one go. */
  static final int FAN_OUT = 32;

  private final Vertx vertx;
  private final MongoBroadcastStore broadcasts;
  private final MessageStore messages;
  private final MessageRouter router;
  private final Clock clock;
  private final String displayName;

  BroadcastSender(Vertx vertx, MongoBroadcastStore broadcasts, MessageStore messages, MessageRouter router, Clock clock,
      String displayName) {
    this.vertx = vertx;
    this.broadcasts = broadcasts;
    this.messages = messages;
    this.router = router;
    this.clock = clock;
    this.displayName = displayName;
  }

  /**
   * Stores the broadcast, then sends its copies ({@code recipients}: every one is a known username);
   * completes once each copy was taken by a phone or stored, and the consoles were told.
   */
  Future<Broadcast> send(Broadcast b, List<String> recipients) {
    return broadcasts.insert(b).compose(v -> copies(b, recipients, 0)).map(v -> {
      LOG.info("Broadcast sent [id: {}, from: {}, to: {} users]", b.id(), b.from(), recipients.size());
      vertx.eventBus().publish(EventAddresses.BROADCAST_CHANGED, BroadcastEvent.sent(b.toBus(null), b.recipients()).toJson());
      return b;
    });
  }

  private Future<Void> copies(Broadcast b, List<String> recipients, int from) {
    if (from >= recipients.size()) {
      return Future.succeededFuture();
    }
    List<Future<MessageRouter.Outcome>> batch = new ArrayList<>();
    for (String username : recipients.subList(from, Math.min(recipients.size(), from + FAN_OUT))) {
      batch.add(router.routeCopy(copy(b, username)));
    }
    return Future.all(batch).compose(v -> copies(b, recipients, from + FAN_OUT));
  }

  private StoredMessage copy(Broadcast b, String username) {
    return new StoredMessage(b.id() + "/" + username, SENDER, displayName, username, null, b.conversation(),
        "text/plain;charset=UTF-8", b.text().getBytes(StandardCharsets.UTF_8), b.text(), MessageState.PENDING,
        b.createdAt(), null, 0);
  }

  /**
   * Ends a current broadcast (withdrawn, or replaced by another): its stored copies expire and the consoles
   * drop it from their tickers.
   *
   * @return false when it was not current
   */
  Future<Boolean> end(String id, Broadcast.State state) {
    return broadcasts.end(id, state, clock.instant()).compose(ended -> !ended ? Future.succeededFuture(false)
        : expireCopies(id).map(v -> {
          LOG.info("Broadcast ended [id: {}, now: {}]", id, state);
          vertx.eventBus().publish(EventAddresses.BROADCAST_CHANGED, BroadcastEvent.gone(id, null).toJson());
          return true;
        }));
  }

  /**
   * For the stored delivery, before it sends a stored message: any message but a broadcast's copy is due;
   * a copy is while its broadcast is current (not expired, withdrawn or replaced); else its copies expire.
   */
  Future<Boolean> due(StoredMessage m) {
    String id = Broadcast.copyOf(m);
    if (id == null) {
      return Future.succeededFuture(true);
    }
    return broadcasts.find(id).compose(b -> {
      if (b.isPresent() && b.get().currentAt(clock.instant())) {
        return Future.succeededFuture(true);
      }
      LOG.info("Broadcast no longer current, its stored copies expire [id: {}]", id);
      return expireCopies(id).map(false);
    });
  }

  private Future<Void> expireCopies(String id) {
    return messages.expireConversation(Broadcast.CONVERSATION_PREFIX + id).map(expired -> {
      expired.forEach(router::expired);
      return null;
    });
  }
}
