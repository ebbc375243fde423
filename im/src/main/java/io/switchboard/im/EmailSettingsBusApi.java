package io.switchboard.im;

import io.switchboard.api.BusConsumers;
import io.switchboard.api.BusFailure;
import io.switchboard.api.EventAddresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;

/**
 * Users' e-mail settings for the users API and {@code /api/me} ({@link EventAddresses#IM_EMAIL_SETTINGS}).
 * The web console checks the fields; this only reads and writes them.
 */
final class EmailSettingsBusApi {

  private final MongoEmailSettings settings;
  private final BusConsumers consumers;

  EmailSettingsBusApi(Vertx vertx, MongoEmailSettings settings) {
    this.settings = settings;
    this.consumers = new BusConsumers(vertx);
  }

  Future<Void> start() {
    return consumers.<JsonObject>consumer(EventAddresses.IM_EMAIL_SETTINGS, this::answer)
        .compose(v -> consumers.<JsonObject>consumer(EventAddresses.USER_CHANGED, msg -> {
          if ("DELETED".equals(msg.body().getString("change"))) {
            settings.delete(msg.body().getString("username"));
          }
        }));
  }

  Future<Void> stop() {
    return consumers.unregisterAll();
  }

  private void answer(Message<JsonObject> request) {
    JsonObject body = request.body();
    Future<JsonObject> reply;
    if (body.getBoolean("all", false)) {
      reply = settings.withAddress().map(all -> {
        JsonObject out = new JsonObject();
        all.forEach(s -> out.put(s.username(), s.toJson()));
        return new JsonObject().put("settings", out);
      });
    } else {
      String username = body.getString("username");
      JsonObject change = body.getJsonObject("change");
      reply = (change == null ? settings.get(username) : settings.change(username,
          change.containsKey("email") ? Optional.of(Optional.ofNullable(change.getString("email"))) : Optional.empty(),
          Optional.ofNullable(change.getBoolean("notifyMissed")),
          Optional.ofNullable(change.getJsonArray("mutedRooms")).map(EmailSettingsBusApi::strings)))
          .map(EmailSettings::toJson);
    }
    reply.onComplete(r -> {
      if (r.succeeded()) {
        request.reply(r.result());
      } else {
        BusFailure.internal().failTo(request);
      }
    });
  }

  private static List<String> strings(JsonArray array) {
    return array.stream().map(String::valueOf).toList();
  }
}
