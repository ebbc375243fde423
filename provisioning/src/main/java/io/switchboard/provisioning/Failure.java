package io.switchboard.provisioning;

import io.switchboard.core.account.InvalidField;
import io.switchboard.core.store.StoreException;
import io.vertx.core.Future;
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

  /** A value that breaks a rule: 400 naming the field (the same exception the users' validation throws). */
  static InvalidField invalid(String field, String reason) {
    return InvalidField.of(field, reason);
  }

  int code() {
    return code;
  }

  /** Answers a bus request with {@code answer}'s result, or with the failure it stands for. */
  static void answer(Message<?> msg, Future<?> answer) {
    answer.onComplete(r -> {
      if (r.succeeded()) {
        msg.reply(r.result());
      } else {
        reply(msg, r.cause());
      }
    });
  }

  /** Answers a bus request with the failure {@code e} stands for (store errors translated once, here). */
  static void reply(Message<?> msg, Throwable e) {
    if (e instanceof Failure f) {
      msg.fail(f.code(), f.getMessage());
    } else if (e instanceof InvalidField invalid) {
      msg.fail(400, invalid.getMessage());
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
