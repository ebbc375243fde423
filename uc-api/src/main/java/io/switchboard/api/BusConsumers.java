package io.switchboard.api;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The event-bus consumers one component registered, kept so that its stop() unregisters them all:
 * a stop and a start in one JVM must not leave a second handler behind (point-to-point requests
 * would go to the stopped one every other time, published events would be handled twice).
 * Safe from any thread.
 */
public final class BusConsumers {

  private final Vertx vertx;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();

  public BusConsumers(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Registers a consumer; completes once it is registered. */
  public <T> Future<Void> consumer(String address, Handler<Message<T>> handler) {
    MessageConsumer<T> consumer = vertx.eventBus().consumer(address, handler);
    synchronized (consumers) {
      consumers.add(consumer);
    }
    return consumer.completion();
  }

  /** Registers a consumer that answers typed requests (see {@link BusCalls#answer}). */
  public <Q> Future<Void> answer(String address, Function<JsonObject, Q> decode,
      Function<Q, Future<? extends BusPayload>> handler, Function<Throwable, BusFailure> translate) {
    return consumer(address, BusCalls.answer(decode, handler, translate));
  }

  /** Unregisters every consumer registered so far; completes once all are gone. */
  public Future<Void> unregisterAll() {
    List<MessageConsumer<?>> registered;
    synchronized (consumers) {
      registered = List.copyOf(consumers);
      consumers.clear();
    }
    return Future.all(registered.stream().map(MessageConsumer::unregister).toList()).mapEmpty();
  }
}
