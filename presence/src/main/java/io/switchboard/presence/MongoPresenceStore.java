package io.switchboard.presence;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import io.switchboard.core.store.MongoCalls;
import io.switchboard.core.store.MongoStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bson.Document;

/** {@link PresenceStore} on MongoDB collection {@code presence}, one document per user ({@code _id} = username). */
public final class MongoPresenceStore implements PresenceStore {

  private final Vertx vertx;
  private final MongoStore store;
  private final MongoCollection<Document> profiles;

  public MongoPresenceStore(Vertx vertx, MongoStore store) {
    this.vertx = vertx;
    this.store = store;
    this.profiles = store.database().getCollection("presence");
  }

  @Override
  public Future<List<PresenceProfile>> loadAll() {
    return MongoCalls.blocking(vertx, store, () -> {
      List<PresenceProfile> out = new ArrayList<>();
      profiles.find().forEach(d -> out.add(fromDocument(d)));
      return out;
    });
  }

  @Override
  public Future<Void> save(PresenceProfile p) {
    return MongoCalls.blocking(vertx, store, () -> {
      profiles.replaceOne(Filters.eq("_id", p.username()), toDocument(p), new ReplaceOptions().upsert(true));
      store.makeDurable();
      return null;
    });
  }

  private static Document toDocument(PresenceProfile p) {
    Document d = new Document("_id", p.username());
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
        .map(b -> new PresenceProfile.Buddy(b.getString("username"), b.getString("group"), b.getString("displayName")))
        .toList();
    List<PresenceProfile.Pending> pending = d.getList("pending", Document.class, List.of()).stream()
        .map(x -> new PresenceProfile.Pending(x.getString("watcher"), x.getDate("since").toInstant())).toList();
    return new PresenceProfile(d.getString("_id"), manual, rules, buddies, pending);
  }
}
