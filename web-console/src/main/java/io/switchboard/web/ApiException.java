package io.switchboard.web;

import io.vertx.core.json.JsonObject;

/**
 * An HTTP API error with its status and a JSON body that says what is wrong. Thrown or failed
 * anywhere in a handler chain; {@link ApiFailureHandler} writes it.
 *
 * @param field the request field at fault, or null
 */
public final class ApiException extends RuntimeException {

  private final int status;
  private final String error;
  private final String field;

  public ApiException(int status, String error, String field, String message) {
    super(message, null, false, false);
    this.status = status;
    this.error = error;
    this.field = field;
  }

  public static ApiException invalid(String field, String message) {
    return new ApiException(400, "invalid", field, field + ": " + message);
  }

  public static ApiException notFound(String message) {
    return new ApiException(404, "not-found", null, message);
  }

  public static ApiException conflict(String field, String message) {
    return new ApiException(409, "conflict", field, message);
  }

  public int status() {
    return status;
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("error", error).put("message", getMessage());
    if (field != null) {
      json.put("field", field);
    }
    return json;
  }
}
