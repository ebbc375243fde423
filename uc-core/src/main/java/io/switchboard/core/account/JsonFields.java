package io.switchboard.core.account;

import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.TreeSet;

/** The one check every JSON request body gets: an object, and no field the API does not know (typos say so). */
public final class JsonFields {

  private JsonFields() {
  }

  /** @return the body; else an {@link InvalidField} naming the problem or the unknown field */
  public static JsonObject known(JsonObject body, Set<String> fields) {
    if (body == null) {
      throw new InvalidField(null, "a JSON object body is required");
    }
    for (String name : body.fieldNames()) {
      if (!fields.contains(name)) {
        throw InvalidField.of(name, "unknown field; expected one of " + new TreeSet<>(fields));
      }
    }
    return body;
  }
}
