package io.switchboard.web;

import io.switchboard.core.account.JsonFields;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/** The one check every JSON request body gets (see {@link JsonFields}); failures become 400 naming the field. */
final class RequestBodies {

  private RequestBodies() {
  }

  /** @return the body; else an {@link io.switchboard.core.account.InvalidField} naming the problem or the unknown field */
  static JsonObject object(JsonObject body, Set<String> fields) {
    return JsonFields.known(body, fields);
  }
}
