package io.switchboard.core.ha;

import io.switchboard.api.EventAddresses;
import io.switchboard.api.cluster.FailureCounted;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;

/**
 * Makes a throttle count cluster-wide: each failure a node counts itself is published to the other
 * nodes ({@link EventAddresses#FAILURE} + kind), which count it too. The decision stays local and
 * synchronous (no round trip before a login or a digest check); the counts agree within the bus's
 * delay. On a node that is not clustered only the node itself hears it, and ignores it.
 */
public final class SharedFailures {

  private final Vertx vertx;
  private final String address;
  private final String node;
  private MessageConsumer<JsonObject> consumer;

  /** @param kind the throttle's name: {@code login}, {@code probe}, {@code digest} */
  public SharedFailures(Vertx vertx, String kind) {
    this.vertx = vertx;
    this.address = EventAddresses.FAILURE + kind;
    this.node = NodeIdentity.of(vertx);
  }

  /**
   * Listens for the other nodes' failures; {@code elsewhere} gets each one's keys on the caller's
   * context. Completes once registered.
   */
  public Future<Void> start(Consumer<JsonObject> elsewhere) {
    consumer = vertx.eventBus().<JsonObject>consumer(address, m -> {
      FailureCounted failure = FailureCounted.fromJson(m.body());
      if (!node.equals(failure.node())) {
        elsewhere.accept(failure.keys());
      }
    });
    return consumer.completion();
  }

  /** Tells the other nodes of a failure this node counted. */
  public void failed(JsonObject keys) {
    vertx.eventBus().publish(address, new FailureCounted(node, keys).toJson());
  }

  public Future<Void> stop() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }
}
