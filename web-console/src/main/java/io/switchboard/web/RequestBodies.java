package io.switchboard.web;

import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.TreeSet;

/** The one check every JSON request body gets: an object, and no field the API does not know (typos say so). */
final class RequestBodies {

  private RequestBodies() {
  }

  /** @return the body; else an {@link ApiException} naming the problem or the unknown field */
  static JsonObject object(JsonObject body, Set<String> fields) {
    if (body == null) {
      throw new ApiException(400, "invalid", null, "a JSON object body is required");
    }
    for (String name : body.fieldNames()) {
      if (!fields.contains(name)) {
        throw ApiException.invalid(name, "unknown field; expected one of " + new TreeSet<>(fields));
      }
    }
    return body;
  }
}
