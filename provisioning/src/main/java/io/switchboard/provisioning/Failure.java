package io.switchboard.provisioning;

import io.switchboard.core.store.StoreException;
import io.vertx.core.eventbus.Message;

/**
 * A request the provisioning module refuses, with the failure code of its bus answer (an HTTP
 * status by the contract in EventAddresses) and a message "field: reason" naming the field.
 */
final class Failure extends RuntimeException {

  private final int code;

  Failure(int code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  static Failure invalid(String field, String reason) {
    return new Failure(400, field + ": " + reason);
  }

  int code() {
    return code;
  }

  /** Answers a bus request with the failure {@code e} stands for (store errors translated once, here). */
  static void reply(Message<?> msg, Throwable e) {
    if (e instanceof Failure f) {
      msg.fail(f.code(), f.getMessage());
    } else if (e instanceof StoreException s) {
      switch (s.kind()) {
        case NOT_FOUND -> msg.fail(404, s.getMessage());
        case CONFLICT -> msg.fail(409, (s.field() == null ? "value" : s.field()) + ": already taken");
        default -> msg.fail(503, "the store is unavailable");
      }
    } else {
      msg.fail(500, "internal error");
    }
  }
}
