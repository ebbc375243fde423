package io.switchboard.api;

import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * A request that failed, as the module that answered it says: a code that means the HTTP status of
 * the same number (400, 403, 404, 409, 413, 415, 503, 500), the request field at fault (or null),
 * and a message for people.
 *
 * <p>On the wire it is the JSON object {@link #toJson()} carried as the message of an ordinary
 * failure ({@link #failTo(Message)}), so it crosses a clustered bus with Vert.x's own codec and no
 * codec to register on any node; {@link #from(Throwable)} reads it back on the asking side.
 */
public final class BusFailure extends ReplyException {

  /** The message of a request that no one answered (no consumer, or a timeout). */
  public static final String NOT_AVAILABLE = "this service is not available right now";

  private final String field;

  public BusFailure(int code, String field, String message) {
    this(ReplyFailure.RECIPIENT_FAILURE, code, field, message);
  }

  private BusFailure(ReplyFailure type, int code, String field, String message) {
    super(type, code, message);
    this.field = field;
  }

  /** 400, message {@code "field: reason"}. */
  public static BusFailure invalid(String field, String reason) {
    return new BusFailure(400, field, field + ": " + reason);
  }

  /** 403, message {@code "field: reason"}, or just the reason without a field. */
  public static BusFailure forbidden(String field, String reason) {
    return new BusFailure(403, field, field == null ? reason : field + ": " + reason);
  }

  /** 403 for a request only an administrator may make, checked where it is answered. */
  public static BusFailure administratorsOnly() {
    return new BusFailure(403, null, "administrators only");
  }

  /** 404, message {@code "field: reason"}, or just the reason without a field. */
  public static BusFailure notFound(String field, String reason) {
    return new BusFailure(404, field, field == null ? reason : field + ": " + reason);
  }

  /** 409, message {@code "field: reason"}, or just the reason without a field. */
  public static BusFailure conflict(String field, String reason) {
    return new BusFailure(409, field, field == null ? reason : field + ": " + reason);
  }

  /** 413, message {@code "field: reason"}. */
  public static BusFailure tooLarge(String field, String reason) {
    return new BusFailure(413, field, field + ": " + reason);
  }

  /** 503: a dependency (the store, Asterisk) is down; the message says which. */
  public static BusFailure unavailable(String message) {
    return new BusFailure(503, null, message);
  }

  /** 500, with nothing of the cause (that goes to the answering side's log). */
  public static BusFailure internal() {
    return new BusFailure(500, null, "internal error");
  }

  /** The request field at fault, or null. */
  public String field() {
    return field;
  }

  /** The HTTP status this failure means. */
  public int code() {
    return failureCode();
  }

  /** True when no module answered at all (no consumer, or no answer in time). */
  public boolean notAnswered() {
    return failureType() != ReplyFailure.RECIPIENT_FAILURE;
  }

  /** Answers {@code request} with this failure. */
  public void failTo(Message<?> request) {
    request.fail(code(), toJson().encode());
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("code", code()).put("message", getMessage());
    if (field != null) {
      json.put("field", field);
    }
    return json;
  }

  public static BusFailure fromJson(JsonObject json) {
    return new BusFailure(json.getInteger("code", 500), json.getString("field"), json.getString("message"));
  }

  /**
   * The failure of a request as the asking side sees it: the answering module's failure, or 503 when
   * no one answered. A plain {@code msg.fail(code, text)} (a module not yet typed) keeps its code and
   * text, with no field; anything else is a 500.
   */
  public static BusFailure from(Throwable e) {
    if (e instanceof BusFailure failure) {
      return failure;
    }
    if (!(e instanceof ReplyException re)) {
      return internal();
    }
    if (re.failureType() != ReplyFailure.RECIPIENT_FAILURE) {
      return new BusFailure(re.failureType(), 503, null, NOT_AVAILABLE);
    }
    String message = re.getMessage();
    if (message != null && message.startsWith("{")) {
      try {
        return fromJson(new JsonObject(message));
      } catch (DecodeException notOurs) {
        // a plain text that happens to start with a brace: taken as it is below
      }
    }
    return new BusFailure(re.failureCode(), null, message);
  }
}
