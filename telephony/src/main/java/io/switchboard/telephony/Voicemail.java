package io.switchboard.telephony;

import io.switchboard.api.BusCalls;
import io.switchboard.api.BusFailure;
import io.switchboard.api.EventAddresses;
import io.switchboard.api.telephony.VoicemailQuery;
import io.switchboard.api.telephony.VoicemailWaiting;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Voicemail waiting, from AMI {@code MessageWaiting}: the mailbox {@code 1001@default} belongs to the
 * user whose endpoint or extension {@code 1001} is ({@link EndpointOwners}). Counts: {@code New} and
 * {@code Old} when Asterisk sends them, else {@code Waiting} (older versions sent the count there).
 * Each change is published as a {@link VoicemailWaiting}; the latest per user is kept here, on the
 * node holding the AMI link (telephony context), and answered on {@link EventAddresses#VOICEMAIL_GET}.
 */
final class Voicemail {

  private static final Logger LOG = LoggerFactory.getLogger(Voicemail.class);

  private final Vertx vertx;
  private final EndpointOwners owners;
  private final Map<String, VoicemailWaiting> byUser = new HashMap<>();
  private Future<Void> tail = Future.succeededFuture();

  Voicemail(Vertx vertx, EndpointOwners owners) {
    this.vertx = vertx;
    this.owners = owners;
  }

  Future<Void> start() {
    return vertx.eventBus().<JsonObject>consumer(EventAddresses.VOICEMAIL_GET,
        BusCalls.answer(VoicemailQuery::fromJson, q -> Future.succeededFuture(of(q.caller().username())),
            e -> BusFailure.internal())).completion();
  }

  VoicemailWaiting of(String username) {
    return byUser.getOrDefault(username, new VoicemailWaiting(username, null, 0, 0));
  }

  void event(AmiEvent.MessageWaiting event) {
    String mailbox = event.mailbox();
    if (mailbox == null || mailbox.isBlank()) {
      return;
    }
    int at = mailbox.indexOf('@');
    String box = at < 0 ? mailbox : mailbox.substring(0, at);
    int fresh = event.newMessages() != null ? event.newMessages() : event.waiting() != null ? event.waiting() : 0;
    int old = event.oldMessages() != null ? event.oldMessages() : 0;
    tail = tail.transform(x -> owners.owner(box)).transform(found -> {
      if (found.failed()) {
        LOG.warn("Voicemail not shown: owner look-up failed [mailbox: {}, reason: {}]", mailbox, found.cause().getMessage());
      } else if (found.result().isEmpty()) {
        LOG.debug("Voicemail of a mailbox without a user [mailbox: {}]", mailbox);
      } else {
        String user = found.result().get();
        VoicemailWaiting now = new VoicemailWaiting(user, mailbox, Math.max(0, fresh), Math.max(0, old));
        if (!now.equals(byUser.put(user, now))) {
          LOG.debug("Voicemail [user: {}, mailbox: {}, new: {}, old: {}]", user, mailbox, now.newMessages(),
              now.oldMessages());
          vertx.eventBus().publish(EventAddresses.VOICEMAIL_WAITING, now.toJson());
        }
      }
      return Future.succeededFuture();
    });
  }
}
