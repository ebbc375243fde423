package io.switchboard.api;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Request and reply with records: {@code BusCalls.request(bus, EventAddresses.IM_SEND, send).map(ImMessage::fromJson)}
 * on the asking side, {@link #answer} on the answering one. A failed request fails with a
 * {@link BusFailure} on both sides.
 */
public final class BusCalls {

  private static final Logger LOG = LoggerFactory.getLogger(BusCalls.class);

  private BusCalls() {
  }

  /** Sends {@code request}; the reply's JSON, or a {@link BusFailure}. */
  public static Future<JsonObject> request(EventBus bus, String address, BusPayload request) {
    return request(bus, address, request, new DeliveryOptions());
  }

  public static Future<JsonObject> request(EventBus bus, String address, BusPayload request, DeliveryOptions options) {
    return bus.<JsonObject>request(address, request.toJson(), options).map(Message::body)
        .recover(e -> Future.failedFuture(BusFailure.from(e)));
  }

  /**
   * A consumer that reads each request with {@code decode} (a request it cannot read is a 400),
   * answers with what {@code handler}'s future gives, and fails with the {@link BusFailure} it fails
   * with; any other failure becomes one through {@code translate} (the module's own exceptions,
   * such as the store's).
   */
  public static <Q> Handler<Message<JsonObject>> answer(Function<JsonObject, Q> decode,
      Function<Q, Future<? extends BusPayload>> handler, Function<Throwable, BusFailure> translate) {
    return msg -> {
      Q request;
      try {
        request = decode.apply(msg.body() == null ? new JsonObject() : msg.body());
      } catch (RuntimeException e) {
        LOG.debug("Unreadable request [address: {}]: {}", msg.address(), e.toString());
        new BusFailure(400, null, "the request could not be read: " + e.getMessage()).failTo(msg);
        return;
      }
      Future<? extends BusPayload> answer;
      try {
        answer = handler.apply(request);
      } catch (BusFailure f) {
        answer = Future.failedFuture(f);
      }
      answer.onComplete(r -> reply(msg, r, translate));
    };
  }

  /** Answers {@code msg} with the result's JSON, or with its failure (see {@link #answer}). */
  public static void reply(Message<?> msg, AsyncResult<? extends BusPayload> result,
      Function<Throwable, BusFailure> translate) {
    if (result.succeeded()) {
      msg.reply(result.result().toJson());
    } else if (result.cause() instanceof BusFailure f) {
      f.failTo(msg);
    } else {
      BusFailure f = translate.apply(result.cause());
      if (f.code() >= 500 && f.code() != 503) {
        LOG.error("Request failed [address: {}]", msg.address(), result.cause());
      }
      f.failTo(msg);
    }
  }

  /** For {@link #answer}'s translate when a module has no exceptions of its own to translate. */
  public static BusFailure internal(Throwable e) {
    return BusFailure.internal();
  }
}
