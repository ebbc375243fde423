package io.switchboard.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Lists of records to and from JSON arrays, for the records' codecs. */
public final class JsonLists {

  private JsonLists() {
  }

  public static JsonArray toArray(List<? extends BusPayload> items) {
    JsonArray out = new JsonArray();
    items.forEach(i -> out.add(i.toJson()));
    return out;
  }

  public static <T> List<T> fromArray(JsonArray array, Function<JsonObject, T> decode) {
    List<T> out = new ArrayList<>();
    if (array != null) {
      for (Object o : array) {
        out.add(decode.apply((JsonObject) o));
      }
    }
    return List.copyOf(out);
  }

  public static List<String> strings(JsonArray array) {
    List<String> out = new ArrayList<>();
    if (array != null) {
      array.forEach(o -> out.add(String.valueOf(o)));
    }
    return List.copyOf(out);
  }
}
