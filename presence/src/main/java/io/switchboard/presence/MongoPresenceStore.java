package io.switchboard.presence;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import io.switchboard.core.store.MongoCalls;
import io.switchboard.core.store.MongoStore;
import io.switchboard.core.store.StoreException;
import io.switchboard.core.store.WriteBatcher;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * {@link PresenceStore} on MongoDB collection {@code presence}, one document per user ({@code _id} =
 * username). Changes are compared and set on a {@code version} field: a replace only lands on the
 * version it was computed from, else the change is computed again from what is stored. Plain
 * {@code replaceOne} with a filter and an upsert, which MongoDB and the embedded mongo-java-server
 * both do atomically per document, sent through the collection's {@link WriteBatcher} (one commit
 * for the writes that arrive together). Documents written before versions count as version 0.
 */
public final class MongoPresenceStore implements PresenceStore {

  /** Attempts before giving up on a profile that someone else keeps changing (each attempt is a write lost to another). */
  static final int MAX_ATTEMPTS = 50;

  private final Vertx vertx;
  private final MongoStore store;
  private final MongoCollection<Document> profiles;
  private final WriteBatcher writes;

  public MongoPresenceStore(Vertx vertx, MongoStore store) {
    this.vertx = vertx;
    this.store = store;
    this.profiles = store.database().getCollection("presence");
    this.writes = store.writes(vertx, "presence");
  }

  @Override
  public Future<List<PresenceProfile>> loadAll() {
    return MongoCalls.blocking(vertx, store, () -> {
      List<PresenceProfile> out = new ArrayList<>();
      // In _id ranges: one find() of 100,000 profiles made the embedded server hold them all for its cursor.
      MongoCalls.inIdRanges(profiles, MongoCalls.READ_BATCH, range -> range.forEach(d -> out.add(fromDocument(d))));
      return out;
    });
  }

  /**
   * Read on a store thread and handed to the caller's context a batch of {@link MongoCalls#READ_BATCH}
   * at a time (in the order the batches were read; the returned future completes after the last).
   */
  @Override
  public Future<Void> loadAll(Consumer<List<PresenceProfile>> each) {
    Context context = vertx.getOrCreateContext();
    return MongoCalls.blocking(vertx, store, () -> {
      // In _id ranges, each handed over as read: no cursor (and no list here) holds all 100,000 profiles.
      // Each is queued on the context before this call's own completion, so every range is in by then.
      MongoCalls.inIdRanges(profiles, MongoCalls.READ_BATCH, range -> {
        List<PresenceProfile> batch = new ArrayList<>(range.size());
        range.forEach(d -> batch.add(fromDocument(d)));
        context.runOnContext(v -> each.accept(batch));
      });
      return null;
    });
  }

  @Override
  public Future<PresenceProfile> load(String username) {
    return MongoCalls.blocking(vertx, store, () -> read(username));
  }

  @Override
  public Future<PresenceProfile> update(PresenceProfile known, UnaryOperator<PresenceProfile> change) {
    return attempt(known, change, 0);
  }

  private Future<PresenceProfile> attempt(PresenceProfile base, UnaryOperator<PresenceProfile> change, int attempt) {
    if (attempt == MAX_ATTEMPTS) {
      return Future.failedFuture(new StoreException(StoreException.Kind.UNAVAILABLE, null,
          "presence profile of " + base.username() + " kept changing under " + MAX_ATTEMPTS + " attempts", null));
    }
    PresenceProfile changed = change.apply(base);
    if (changed.equals(base)) {
      return Future.succeededFuture(base);
    }
    PresenceProfile next = changed.withVersion(base.version() + 1);
    return replaceIfAt(base.version(), next).compose(won -> won ? Future.succeededFuture(next)
        // Someone else changed it first: start again from theirs.
        : MongoCalls.blocking(vertx, store, () -> read(base.username())).compose(theirs -> attempt(theirs, change, attempt + 1)));
  }

  /**
   * Replaces the profile when the stored one is still at {@code expected}; version 0 is a profile
   * never stored (inserted here) or stored before versions (no field). False when another write won.
   * Batched with the collection's other writes, but counted alone: whether it matched is its own.
   */
  private Future<Boolean> replaceIfAt(long expected, PresenceProfile next) {
    String id = next.username();
    Bson filter = Filters.and(Filters.eq("_id", id),
        expected == 0 ? Filters.exists("version", false) : Filters.eq("version", expected));
    // The upsert of version 0 inserts a new profile; if one with a version exists, the insert of
    // its _id fails as a duplicate: another write won.
    return writes.writeCounted(new ReplaceOneModel<>(filter, toDocument(next), new ReplaceOptions().upsert(expected == 0)))
        .map(result -> result.getMatchedCount() == 1 || !result.getUpserts().isEmpty())
        .recover(e -> e instanceof StoreException s && s.kind() == StoreException.Kind.CONFLICT
            ? Future.succeededFuture(false) : Future.failedFuture(e));
  }

  private PresenceProfile read(String username) {
    Document d = profiles.find(Filters.eq("_id", username)).first();
    return d == null ? PresenceProfile.empty(username) : fromDocument(d);
  }

  /** The stored shape of a profile; public for bench/scale.sh's data set, which writes profiles in bulk. */
  public static Document toDocument(PresenceProfile p) {
    Document d = new Document("_id", p.username()).append("version", p.version());
    if (p.manual() != null) {
      d.append("manual", new Document("state", p.manual().state().wireName()).append("note", p.manual().note())
          .append("until", p.manual().until() == null ? null : Date.from(p.manual().until())));
    }
    d.append("rules", p.rules().stream().map(r -> new Document("watcher", r.watcher()).append("action",
        r.action().wireName())).toList());
    d.append("buddies", p.buddies().stream().map(b -> new Document("username", b.username()).append("group", b.group())
        .append("displayName", b.displayName())).toList());
    d.append("pending", p.pending().stream().map(x -> new Document("watcher", x.watcher()).append("since",
        Date.from(x.since()))).toList());
    return d;
  }

  private static PresenceProfile fromDocument(Document d) {
    Document m = d.get("manual", Document.class);
    ManualState manual = m == null ? null : new ManualState(PresenceState.fromWire(m.getString("state")),
        m.getString("note"), m.getDate("until") == null ? null : m.getDate("until").toInstant());
    List<Rule> rules = d.getList("rules", Document.class, List.of()).stream()
        .map(r -> new Rule(r.getString("watcher"), Rule.Action.fromWire(r.getString("action")))).toList();
    List<PresenceProfile.Buddy> buddies = d.getList("buddies", Document.class, List.of()).stream()
        // Interned: the same names and groups recur in every list (1,000,000 buddies of 100,000 users),
        // and the loaded profiles stay in memory.
        .map(b -> new PresenceProfile.Buddy(intern(b.getString("username")), intern(b.getString("group")),
            intern(b.getString("displayName"))))
        .toList();
    List<PresenceProfile.Pending> pending = d.getList("pending", Document.class, List.of()).stream()
        .map(x -> new PresenceProfile.Pending(x.getString("watcher"), x.getDate("since").toInstant())).toList();
    Number version = d.get("version", Number.class);
    return new PresenceProfile(d.getString("_id"), manual, rules, buddies, pending,
        version == null ? 0 : version.longValue());
  }

  private static String intern(String s) {
    return s == null ? null : s.intern();
  }
}
