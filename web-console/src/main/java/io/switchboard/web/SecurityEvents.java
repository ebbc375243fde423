package io.switchboard.web;

import io.switchboard.api.EventAddresses;
import io.switchboard.api.SecurityEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * {@code GET /api/security/events}: the last {@value #KEPT} security events of every module (failed
 * logins and digests, throttled sources, blocked watchers, admin changes), newest first, for
 * administrators. Kept in memory from {@link EventAddresses#SECURITY_EVENT}; the
 * {@code switchboard.security} log is the lasting record.
 */
final class SecurityEvents {

  static final int KEPT = 100;

  private final Deque<JsonObject> recent = new ArrayDeque<>();
  private MessageConsumer<JsonObject> consumer;

  /** Starts listening; call on the console's context, where the list is read too. */
  Future<Void> start(Vertx vertx) {
    consumer = vertx.eventBus().consumer(EventAddresses.SECURITY_EVENT, msg -> {
      // Through the record, so that only its known fields (never a secret) are kept.
      recent.addFirst(SecurityEvent.fromJson(msg.body()).toJson());
      while (recent.size() > KEPT) {
        recent.removeLast();
      }
    });
    return consumer.completion();
  }

  Future<Void> stop() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  void list(RoutingContext ctx) {
    ctx.json(new JsonObject().put("events", new JsonArray(java.util.List.copyOf(recent))));
  }
}
