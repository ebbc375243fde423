package io.switchboard.web;

import io.switchboard.core.account.JsonFields;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/** The one check every JSON request body gets (see {@link JsonFields}); failures become 400 naming the field. */
final class RequestBodies {

  private RequestBodies() {
  }

  /** @return the body; else an {@link io.switchboard.core.account.InvalidField} naming the problem or the unknown field */
  static JsonObject object(JsonObject body, Set<String> fields) {
    return JsonFields.known(body, fields);
  }

  /**
   * Before any route: the query decodes, and a JSON body is UTF-8 and one JSON object. Otherwise a
   * 400 that says so, instead of a ClassCastException (or a replacement character) deep in a route.
   * An empty body passes: the route says which fields it needs.
   */
  static void wellFormed(RoutingContext ctx) {
    try {
      ctx.queryParams();
    } catch (IllegalArgumentException e) {
      ctx.fail(new ApiException(400, "invalid", null, "the query string is not valid percent-encoding"));
      return;
    }
    String type = ctx.request().getHeader("Content-Type");
    Buffer body = ctx.body().buffer();
    if (body != null && body.length() > 0 && type != null
        && type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      String problem = jsonObjectProblem(body);
      if (problem != null) {
        ctx.fail(new ApiException(400, "invalid", null, problem));
        return;
      }
    }
    ctx.next();
  }

  /** @return what is wrong with the body as a JSON object, or null when nothing is */
  static String jsonObjectProblem(Buffer body) {
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body.getBytes()));
    } catch (CharacterCodingException e) {
      return "the body is not valid UTF-8";
    }
    Object json;
    try {
      json = Json.decodeValue(body);
    } catch (DecodeException e) {
      return "the body is not valid JSON";
    }
    return json instanceof JsonObject ? null : "the body must be a JSON object";
  }
}
