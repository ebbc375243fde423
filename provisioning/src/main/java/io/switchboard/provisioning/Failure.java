package io.switchboard.provisioning;

import io.switchboard.api.BusFailure;
import io.switchboard.core.account.InvalidField;
import io.switchboard.core.store.StoreException;

/**
 * How the provisioning module refuses a request: a {@link BusFailure} (code, field, message), with
 * the store's and the field checks' exceptions translated once, here.
 */
final class Failure {

  private Failure() {
  }

  /** A value that breaks a rule: 400 naming the field (the same exception the users' validation throws). */
  static InvalidField invalid(String field, String reason) {
    return InvalidField.of(field, reason);
  }

  /** The failure {@code e} stands for, for the bus answer. */
  static BusFailure translate(Throwable e) {
    if (e instanceof BusFailure f) {
      return f;
    } else if (e instanceof InvalidField invalid) {
      return new BusFailure(400, invalid.field(), invalid.getMessage());
    } else if (e instanceof StoreException s) {
      return switch (s.kind()) {
        case NOT_FOUND -> new BusFailure(404, null, s.getMessage());
        case CONFLICT -> BusFailure.conflict(s.field() == null ? "value" : s.field(), "already taken");
        default -> BusFailure.unavailable("the store is unavailable");
      };
    }
    return BusFailure.internal();
  }
}
