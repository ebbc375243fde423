package io.switchboard.im;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Updates;
import io.switchboard.api.im.BroadcastAudience;
import io.switchboard.core.store.MongoCalls;
import io.switchboard.core.store.MongoStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.bson.Document;

/**
 * Broadcasts on MongoDB collection {@code broadcasts}, so that every node shows and delivers the same
 * ones. Few are current at any time: they are read by state and filtered here.
 */
final class MongoBroadcastStore {

  private final Vertx vertx;
  private final MongoStore store;
  private final MongoCollection<Document> broadcasts;

  MongoBroadcastStore(Vertx vertx, MongoStore store) {
    this.vertx = vertx;
    this.store = store;
    this.broadcasts = store.database().getCollection("broadcasts");
  }

  /** Blocking. */
  void createIndexes() {
    broadcasts.createIndex(Indexes.ascending("state", "createdAt"), new IndexOptions().name("state_created"));
  }

  /** Completes once durable. */
  Future<Void> insert(Broadcast b) {
    return blocking(() -> {
      broadcasts.insertOne(toDocument(b));
      store.makeDurable();
      return null;
    });
  }

  Future<Optional<Broadcast>> find(String id) {
    return blocking(() -> Optional.ofNullable(broadcasts.find(Filters.eq("_id", id)).first())
        .map(MongoBroadcastStore::fromDocument));
  }

  /** Every CURRENT one (expired ones included: the caller knows the time), newest first. */
  Future<List<Broadcast>> current() {
    return blocking(() -> {
      List<Broadcast> out = new ArrayList<>();
      broadcasts.find(Filters.eq("state", Broadcast.State.CURRENT.name())).forEach(d -> out.add(fromDocument(d)));
      out.sort(java.util.Comparator.comparing(Broadcast::createdAt).thenComparing(Broadcast::id).reversed());
      return out;
    });
  }

  /**
   * A CURRENT broadcast becomes {@code state} (withdrawn or replaced), atomically in the store.
   *
   * @return false when it was not current (gone, or ended by someone else meanwhile)
   */
  Future<Boolean> end(String id, Broadcast.State state, Instant at) {
    return blocking(() -> {
      boolean ended = broadcasts.updateOne(Filters.and(Filters.eq("_id", id), Filters.eq("state", Broadcast.State.CURRENT.name())),
          Updates.combine(Updates.set("state", state.name()), Updates.set("endedAt", Date.from(at)))).getModifiedCount() > 0;
      if (ended) {
        store.makeDurable();
      }
      return ended;
    });
  }

  /** {@code username} no longer sees it in the ticker. */
  Future<Void> dismiss(String id, String username) {
    return blocking(() -> {
      broadcasts.updateOne(Filters.eq("_id", id), Updates.addToSet("dismissedBy", username));
      store.makeDurable();
      return null;
    });
  }

  private <T> Future<T> blocking(Callable<T> work) {
    return MongoCalls.blocking(vertx, store, work);
  }

  private static Document toDocument(Broadcast b) {
    return new Document("_id", b.id()).append("text", b.text()).append("from", b.from())
        .append("to", Document.parse(b.audience().toJson().encode())).append("recipients", b.recipients())
        .append("createdAt", Date.from(b.createdAt()))
        .append("expiresAt", b.expiresAt() == null ? null : Date.from(b.expiresAt())).append("replaces", b.replaces())
        .append("state", b.state().name()).append("dismissedBy", new ArrayList<>(b.dismissedBy()));
  }

  private static Broadcast fromDocument(Document d) {
    Date expires = d.getDate("expiresAt");
    List<String> dismissed = d.getList("dismissedBy", String.class);
    return new Broadcast(d.getString("_id"), d.getString("text"), d.getString("from"),
        BroadcastAudience.fromJson(new io.vertx.core.json.JsonObject(d.get("to", Document.class).toJson())),
        d.getList("recipients", String.class), d.getDate("createdAt").toInstant(),
        expires == null ? null : expires.toInstant(), d.getString("replaces"), Broadcast.State.valueOf(d.getString("state")),
        dismissed == null ? Set.of() : new HashSet<>(dismissed));
  }
}
