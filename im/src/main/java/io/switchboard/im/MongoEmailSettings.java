package io.switchboard.im;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import io.switchboard.core.store.MongoCalls;
import io.switchboard.core.store.MongoStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * Users' e-mail settings and mail state in collection {@code email_settings}, one document per user
 * ({@code _id} the username). The mail state lives here, not in memory, so that a restart or another
 * node picks up where the last mail left off: {@code lastEmailedAt}, and while a node sends, its claim
 * ({@code claimedBy}, {@code leaseUntil}), taken atomically as {@link MongoMessageStore#claim} takes a message.
 */
final class MongoEmailSettings {

  private final Vertx vertx;
  private final MongoStore store;
  private final MongoCollection<Document> settings;

  MongoEmailSettings(Vertx vertx, MongoStore store) {
    this.vertx = vertx;
    this.store = store;
    this.settings = store.database().getCollection("email_settings");
  }

  Future<EmailSettings> get(String username) {
    return blocking(() -> read(username));
  }

  private EmailSettings read(String username) {
    return Optional.ofNullable(settings.find(Filters.eq("_id", username)).first())
        .map(MongoEmailSettings::fromDocument).orElse(EmailSettings.none(username));
  }

  /** Every user who gave an address (a few per cent of users at most: a scan of a small collection). */
  Future<List<EmailSettings>> withAddress() {
    return blocking(() -> {
      List<EmailSettings> out = new ArrayList<>();
      settings.find(Filters.ne("email", null)).forEach(d -> out.add(fromDocument(d)));
      return out;
    });
  }

  /**
   * Changes the given fields (empty: unchanged; an email of {@code Optional.of(Optional.empty())} removes it).
   */
  Future<EmailSettings> change(String username, Optional<Optional<String>> email, Optional<Boolean> notifyMissed,
      Optional<List<String>> mutedRooms) {
    return blocking(() -> {
      List<Bson> sets = new ArrayList<>();
      email.ifPresent(e -> sets.add(Updates.set("email", e.orElse(null))));
      notifyMissed.ifPresent(n -> sets.add(Updates.set("notifyMissed", n)));
      mutedRooms.ifPresent(r -> sets.add(Updates.set("mutedRooms", r)));
      if (sets.isEmpty()) {
        return read(username);
      }
      Document after = settings.findOneAndUpdate(Filters.eq("_id", username), Updates.combine(sets),
          new FindOneAndUpdateOptions().upsert(true).returnDocument(ReturnDocument.AFTER));
      store.makeDurable();
      return fromDocument(after);
    });
  }

  /** The user was deleted: so are their settings. */
  Future<Void> delete(String username) {
    return blocking(() -> {
      settings.deleteOne(Filters.eq("_id", username));
      return null;
    });
  }

  /**
   * Claims the right to mail the user now, atomically: only while still opted in, nobody else holds an
   * unexpired claim, and nobody mailed them since {@code lastEmailedAt} was read (null: never mailed).
   *
   * @return true when this node got it
   */
  Future<Boolean> claim(String username, Instant lastEmailedAt, String node, Instant now, Instant leaseUntil) {
    return blocking(() -> settings.findOneAndUpdate(Filters.and(Filters.eq("_id", username),
        Filters.eq("notifyMissed", true),
        Filters.eq("lastEmailedAt", lastEmailedAt == null ? null : Date.from(lastEmailedAt)),
        Filters.or(Filters.eq("leaseUntil", null), Filters.lt("leaseUntil", Date.from(now)))),
        Updates.combine(Updates.set("claimedBy", node), Updates.set("leaseUntil", Date.from(leaseUntil)))) != null);
  }

  /** The mail went: the interval starts at {@code at}; durable before the next scan reads it. */
  Future<Void> mailed(String username, String node, Instant at) {
    return blocking(() -> {
      settings.updateOne(Filters.and(Filters.eq("_id", username), Filters.eq("claimedBy", node)), Updates.combine(
          Updates.set("lastEmailedAt", Date.from(at)), Updates.unset("claimedBy"), Updates.unset("leaseUntil")));
      store.makeDurable();
      return null;
    });
  }

  /** The mail did not go: the next scan tries again. */
  Future<Void> release(String username, String node) {
    return blocking(() -> {
      settings.updateOne(Filters.and(Filters.eq("_id", username), Filters.eq("claimedBy", node)),
          Updates.combine(Updates.unset("claimedBy"), Updates.unset("leaseUntil")));
      return null;
    });
  }

  private <T> Future<T> blocking(Callable<T> work) {
    return MongoCalls.blocking(vertx, store, work);
  }

  private static EmailSettings fromDocument(Document d) {
    Date last = d.getDate("lastEmailedAt");
    List<String> muted = d.getList("mutedRooms", String.class);
    return new EmailSettings(d.getString("_id"), d.getString("email"), d.getBoolean("notifyMissed", false),
        muted, last == null ? null : last.toInstant());
  }
}
