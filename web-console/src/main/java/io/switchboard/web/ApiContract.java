package io.switchboard.web;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The API's OpenAPI document ({@code openapi.yaml}, served as {@code /api/openapi.json}) and what is
 * enforced from it: who may call an operation (public, signed in, administrators) and what a valid
 * request is. Requests are checked by vertx-openapi's {@link RequestValidator}; its findings become
 * one 400 {@link ApiException} in our own words, the same on every route: {@code field} names the
 * top-level field, {@code message} says where and which rule ("profile.accept: a list with at least
 * 1 item").
 */
public final class ApiContract {

  static final String RESOURCE = "openapi.yaml";
  /** An operation with this extension set to true is for administrators only. */
  static final String ADMIN = "x-switchboard-admin";
  private static final Pattern REQUIRED = Pattern.compile("required property \"([^\"]*)\"");
  private static final Pattern PROPERTY = Pattern.compile("Property \"([^\"]*)\"");

  private final JsonObject document;
  private final Buffer encoded;
  private final OpenAPIContract contract;
  private final RequestValidator validator;
  private final RequestExtractor extractor = RequestExtractor.withBodyHandler();

  private ApiContract(JsonObject document, OpenAPIContract contract, RequestValidator validator) {
    this.document = document;
    this.encoded = document.toBuffer();
    this.contract = contract;
    this.validator = validator;
  }

  /**
   * Reads the document from the class path (on a worker) and checks it is a valid OpenAPI 3.1 contract:
   * about a second of a cold start, so the composition root begins it early ({@link WebConsole#withContract}).
   */
  public static Future<ApiContract> load(Vertx vertx) {
    return vertx.executeBlocking(ApiContract::readDocument)
        .compose(doc -> OpenAPIContract.from(vertx, withoutForeignBodies(doc.copy()))
            .map(contract -> new ApiContract(doc, contract, RequestValidator.create(vertx, contract))));
  }

  /**
   * The validator knows JSON bodies (and a few others), not CSV: a body in any other media type (the
   * import's text/csv) is taken out of the copy it is given, and left to its route.
   */
  private static JsonObject withoutForeignBodies(JsonObject doc) {
    JsonObject paths = doc.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      for (Map.Entry<String, Object> op : paths.getJsonObject(path)) {
        if (op.getValue() instanceof JsonObject o && o.getValue("requestBody") instanceof JsonObject body
            && !body.getJsonObject("content", new JsonObject()).containsKey("application/json")) {
          o.remove("requestBody");
        }
      }
    }
    return doc;
  }

  /** The document as JSON, as written (not resolved). */
  static JsonObject readDocument() {
    try (InputStream in = ApiContract.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is not on the class path");
      }
      Map<String, Object> yaml = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
      return new JsonObject(yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code GET /api/openapi.json}. */
  void serve(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", "application/json").end(encoded);
  }

  /** The operation the request is for, or null when the document has none (the router answers 404 then). */
  Operation operation(RoutingContext ctx) {
    try {
      return contract.findOperation(ctx.request().path(), ctx.request().method());
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** True for an operation anyone may call ({@code security: []}). */
  static boolean isPublic(Operation op) {
    JsonArray security = op.getOpenAPIModel().getJsonArray("security");
    return security != null && security.isEmpty();
  }

  static boolean adminOnly(Operation op) {
    return Boolean.TRUE.equals(op.getOpenAPIModel().getValue(ADMIN));
  }

  /**
   * The route handler: passes a request that the document allows, fails one it does not with a 400
   * naming the field. The body was read already (BodyHandler); an operation without parameters or
   * body (the live channel's upgrade among them) has nothing to check.
   */
  Handler<RoutingContext> validator() {
    return ctx -> {
      Operation op = operation(ctx);
      // Nothing to check (and a WebSocket upgrade's request must stay unread for the handshake).
      if (op == null || op.getParameters().isEmpty() && op.getRequestBody() == null) {
        ctx.next();
        return;
      }
      extractor.extractValidatableRequest(ctx, op)
          .compose(request -> validator.validate(request, op.getOperationId()))
          .onComplete(r -> {
            if (r.succeeded()) {
              ctx.next();
            } else {
              ctx.fail(translate(op, r.cause()));
            }
          });
    };
  }

  /** The validator's finding in our words. */
  ApiException translate(Operation op, Throwable failure) {
    if (failure instanceof ApiException api) {
      return api;
    }
    if (!(failure instanceof ValidatorException e)) {
      return new ApiException(400, "invalid", null, "the request could not be read");
    }
    if (e.type() == ValidatorErrorType.MISSING_REQUIRED_PARAMETER) {
      Parameter p = parameterNamedIn(op, e.getMessage());
      if (p == null) {
        // A required body that is missing (or empty): the same words as JsonFields'.
        return new ApiException(400, "invalid", null, "a JSON object body is required");
      }
      return ApiException.invalid(p.getName(), "required: " + describe(schemaOf(p)));
    }
    Parameter p = parameterNamedIn(op, e.getMessage());
    if (p != null) {
      return ApiException.invalid(p.getName(), describe(schemaOf(p)));
    }
    if (e instanceof SchemaValidationException s && s.getOutputUnit() != null) {
      return fromBody(op, s.getOutputUnit());
    }
    return new ApiException(400, "invalid", null, "the request does not match the API: " + e.getMessage());
  }

  private ApiException fromBody(Operation op, OutputUnit result) {
    OutputUnit error = mostSpecific(result);
    String where = pointerToPath(error.getInstanceLocation());
    String keywordLocation = String.valueOf(error.getKeywordLocation());
    String keyword = keyword(error);
    JsonObject schema = schemaAt(bodySchema(op), keywordLocation);
    String text = String.valueOf(error.getError());
    switch (keyword) {
      case "required" -> {
        Matcher m = REQUIRED.matcher(text);
        String missing = m.find() ? m.group(1) : "?";
        return field(join(where, missing), "required");
      }
      case "additionalProperties", "unevaluatedProperties" -> {
        Matcher m = PROPERTY.matcher(text);
        String unknown = m.find() ? m.group(1) : where;
        JsonObject props = schema == null ? null : schema.getJsonObject("properties");
        // Reported at the object or at the property itself, depending on the keyword's implementation.
        String path = where.equals(unknown) || where.endsWith("." + unknown) ? where : join(where, unknown);
        return field(path, "unknown field; expected one of " + (props == null ? "[]" : new TreeSet<>(props.fieldNames())));
      }
      case "type" -> {
        return field(where, "must be " + typeWords(schema == null ? null : schema.getValue("type")));
      }
      default -> {
        return field(where, describe(schema));
      }
    }
  }

  /** Keywords that only say that something beneath them failed. */
  private static final java.util.Set<String> SUMMARIES = java.util.Set.of("properties", "items", "prefixItems",
      "allOf", "anyOf", "oneOf", "$ref", "schema");

  /**
   * The error that says most: the deepest in the instance, then the deepest in the schema (a type
   * or a bound rather than the "does not match" of an object around it).
   */
  private static OutputUnit mostSpecific(OutputUnit result) {
    List<OutputUnit> all = new java.util.ArrayList<>();
    collect(result, all);
    OutputUnit best = result;
    for (OutputUnit e : all) {
      if (e.getError() == null || SUMMARIES.contains(keyword(e))) {
        continue;
      }
      if (best == result || depth(e.getInstanceLocation()) > depth(best.getInstanceLocation())
          || depth(e.getInstanceLocation()) == depth(best.getInstanceLocation())
          && depth(e.getKeywordLocation()) > depth(best.getKeywordLocation())) {
        best = e;
      }
    }
    return best;
  }

  private static void collect(OutputUnit unit, List<OutputUnit> into) {
    if (unit.getErrors() != null) {
      for (OutputUnit e : unit.getErrors()) {
        into.add(e);
        collect(e, into);
      }
    }
  }

  private static String keyword(OutputUnit u) {
    String loc = String.valueOf(u.getKeywordLocation());
    return loc.substring(loc.lastIndexOf('/') + 1);
  }

  private static int depth(String pointer) {
    String p = pointer == null ? "" : pointer.replaceFirst("^#?/?", "");
    return p.isEmpty() ? 0 : p.split("/", -1).length;
  }

  private static ApiException field(String path, String rule) {
    String top = path.isEmpty() ? null : path.split("[.\\[]", 2)[0];
    return new ApiException(400, "invalid", top, (path.isEmpty() ? "body" : path) + ": " + rule);
  }

  private static String join(String where, String name) {
    return where.isEmpty() ? name : where + "." + name;
  }

  /** "/rules/0/action" → "rules[0].action". */
  static String pointerToPath(String pointer) {
    String p = pointer == null ? "" : pointer.replaceFirst("^#?/?", "");
    if (p.isEmpty()) {
      return "";
    }
    StringBuilder path = new StringBuilder();
    for (String seg : p.split("/", -1)) {
      String name = seg.replace("~1", "/").replace("~0", "~");
      if (name.matches("[0-9]+")) {
        path.append('[').append(name).append(']');
      } else {
        path.append(path.length() == 0 ? "" : ".").append(name);
      }
    }
    return path.toString();
  }

  private JsonObject schemaOf(Parameter p) {
    return resolve(p.getOpenAPIModel().getJsonObject("schema"));
  }

  private JsonObject bodySchema(Operation op) {
    if (op.getRequestBody() == null) {
      return null;
    }
    MediaType json = op.getRequestBody().getContent().get("application/json");
    return json == null ? null : resolve(json.getOpenAPIModel().getJsonObject("schema"));
  }

  /** The schema object that holds the failed keyword: the walk along its location, through references. */
  private JsonObject schemaAt(JsonObject root, String keywordLocation) {
    Object node = root;
    String[] segs = keywordLocation.replaceFirst("^#?/?", "").split("/");
    for (int i = 0; i < segs.length - 1 && node != null; i++) {
      String seg = segs[i].replace("~1", "/").replace("~0", "~");
      if (seg.isEmpty() || seg.equals("$ref")) {
        continue; // we follow references as we go
      }
      if (node instanceof JsonObject o) {
        node = o.getValue(seg);
      } else if (node instanceof JsonArray a && seg.matches("[0-9]+") && Integer.parseInt(seg) < a.size()) {
        node = a.getValue(Integer.parseInt(seg));
      } else {
        node = null;
      }
      if (node instanceof JsonObject o) {
        node = resolve(o);
      }
    }
    return node instanceof JsonObject o ? o : null;
  }

  /** Follows a local {@code $ref} ("#/components/schemas/X") in the document as written. */
  private JsonObject resolve(JsonObject schema) {
    int hops = 0;
    while (schema != null && schema.getValue("$ref") instanceof String ref && ref.startsWith("#/") && hops++ < 10) {
      Object node = document;
      for (String seg : ref.substring(2).split("/")) {
        node = node instanceof JsonObject o ? o.getValue(seg.replace("~1", "/").replace("~0", "~")) : null;
      }
      schema = node instanceof JsonObject o ? o : null;
    }
    return schema;
  }

  private static Parameter parameterNamedIn(Operation op, String message) {
    if (message == null) {
      return null;
    }
    for (Parameter p : op.getParameters()) {
      if (message.contains("parameter " + p.getName() + " ") || message.contains("parameter " + p.getName() + ".")
          || message.endsWith("parameter " + p.getName())) {
        return p;
      }
    }
    return null;
  }

  /**
   * The rule in words: the schema's own {@code description} when it has one (written as a rule in the
   * document), else made from its type and bounds.
   */
  static String describe(JsonObject schema) {
    if (schema == null) {
      return "not allowed here";
    }
    if (schema.getValue("enum") instanceof JsonArray values) {
      List<String> words = values.stream().map(String::valueOf).toList();
      return "one of " + String.join(", ", words);
    }
    if (schema.getValue("description") instanceof String d) {
      return d;
    }
    Object type = schema.getValue("type");
    Number min = (Number) schema.getValue("minimum");
    Number max = (Number) schema.getValue("maximum");
    if ("integer".equals(type) || "number".equals(type)) {
      String what = "integer".equals(type) ? "a whole number" : "a number";
      return min != null && max != null ? what + " from " + min + " to " + max
          : min != null ? what + " of at least " + min : max != null ? what + " of at most " + max : what;
    }
    if ("string".equals(type) || type instanceof JsonArray) {
      Number minLength = (Number) schema.getValue("minLength");
      Number maxLength = (Number) schema.getValue("maxLength");
      if (minLength != null && maxLength != null) {
        return minLength + " to " + maxLength + " characters";
      }
      if (minLength != null) {
        return minLength.intValue() == 1 ? "must not be empty" : "at least " + minLength + " characters";
      }
      if (maxLength != null) {
        return "at most " + maxLength + " characters";
      }
    }
    if ("array".equals(type) && schema.getValue("minItems") instanceof Number minItems) {
      return "a list with at least " + minItems + " item" + (minItems.intValue() == 1 ? "" : "s");
    }
    return "must be " + typeWords(type);
  }

  private static String typeWords(Object type) {
    if (type instanceof JsonArray types) {
      return String.join(" or ", types.stream().map(ApiContract::typeWord).toList());
    }
    return type == null ? "something else" : typeWord(type);
  }

  private static String typeWord(Object type) {
    return switch (String.valueOf(type)) {
      case "string" -> "a string";
      case "integer" -> "a whole number";
      case "number" -> "a number";
      case "boolean" -> "true or false";
      case "array" -> "a list";
      case "object" -> "an object";
      case "null" -> "null";
      default -> String.valueOf(type);
    };
  }
}
