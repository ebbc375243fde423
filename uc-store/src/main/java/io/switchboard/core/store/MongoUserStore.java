package io.switchboard.core.store;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import io.switchboard.core.model.Role;
import io.switchboard.core.model.User;
import io.switchboard.core.model.UserChanges;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.bson.Document;
import org.bson.conversions.Bson;

/** {@link UserStore} on MongoDB, through the sync driver strictly inside executeBlocking. */
public final class MongoUserStore implements UserStore {

  static final String COLLECTION = "users";

  private final Vertx vertx;
  private final MongoStore store;
  private final MongoCollection<Document> users;

  public MongoUserStore(Vertx vertx, MongoStore store) {
    this.vertx = vertx;
    this.store = store;
    this.users = store.database().getCollection(COLLECTION);
  }

  /** Blocking: creates the unique indexes. Call once at start, inside executeBlocking. */
  public void createIndexes() {
    users.createIndex(Indexes.ascending("username"), new IndexOptions().unique(true).name("username"));
    // Sparse: accounts without an extension (admin) do not collide on a missing value.
    users.createIndex(Indexes.ascending("extension"), new IndexOptions().unique(true).sparse(true).name("extension"));
  }

  @Override
  public Future<User> create(User user) {
    return blocking(() -> {
      users.insertOne(toDocument(user));
      store.makeDurable();
      return user;
    });
  }

  /** One ordered {@code insertMany} per call and one commit; a failure removes what it wrote before it. */
  @Override
  public Future<Void> createAll(List<User> batch) {
    return blocking(() -> {
      if (batch.isEmpty()) {
        return null;
      }
      try {
        users.insertMany(batch.stream().map(MongoUserStore::toDocument).toList());
      } catch (com.mongodb.MongoException e) {
        int written = MongoCalls.writtenBefore(e);
        if (written > 0) {
          users.deleteMany(Filters.in("username", batch.subList(0, written).stream().map(User::username).toList()));
        }
        throw e;
      } finally {
        store.makeDurable();
      }
      return null;
    });
  }

  @Override
  public Future<Optional<User>> find(String username) {
    return blocking(() -> Optional.ofNullable(users.find(Filters.eq("username", username)).first()).map(MongoUserStore::toUser));
  }

  @Override
  public Future<Optional<User>> findByUsernameOrExtension(String userPart) {
    return blocking(() -> {
      Document doc = users.find(Filters.eq("username", userPart)).first();
      if (doc == null) {
        doc = users.find(Filters.eq("extension", userPart)).first();
      }
      return Optional.ofNullable(doc).map(MongoUserStore::toUser);
    });
  }

  @Override
  public Future<List<User>> list() {
    return blocking(() -> {
      List<User> out = new ArrayList<>();
      // In _id ranges, sorted here: a sorted find() made the embedded server hold and sort every user at once.
      MongoCalls.inIdRanges(users, MongoCalls.READ_BATCH, range -> range.forEach(d -> out.add(toUser(d))));
      out.sort(java.util.Comparator.comparing(User::username));
      return out;
    });
  }

  @Override
  public Future<User> update(String username, UserChanges changes) {
    return blocking(() -> {
      List<Bson> sets = new ArrayList<>();
      changes.displayName().ifPresent(v -> sets.add(Updates.set("displayName", v)));
      changes.extension().ifPresent(v -> sets.add(v.isPresent() ? Updates.set("extension", v.get()) : Updates.unset("extension")));
      changes.role().ifPresent(v -> sets.add(Updates.set("role", v.wireName())));
      changes.enabled().ifPresent(v -> sets.add(Updates.set("enabled", v)));
      changes.passwordHash().ifPresent(v -> sets.add(Updates.set("passwordHash", v)));
      changes.sipHa1().ifPresent(v -> sets.add(Updates.set("sipHa1", new Document(v))));
      sets.add(Updates.set("updatedAt", Date.from(Instant.now())));
      Document updated = users.findOneAndUpdate(Filters.eq("username", username), Updates.combine(sets),
          new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER));
      if (updated == null) {
        throw StoreException.notFound("no user " + username);
      }
      store.makeDurable();
      return toUser(updated);
    });
  }

  @Override
  public Future<Void> delete(String username) {
    return blocking(() -> {
      if (users.deleteOne(Filters.eq("username", username)).getDeletedCount() == 0) {
        throw StoreException.notFound("no user " + username);
      }
      store.makeDurable();
      return null;
    });
  }

  private <T> Future<T> blocking(Callable<T> work) {
    return MongoCalls.blocking(vertx, store, work);
  }

  static Document toDocument(User u) {
    Document d = new Document("username", u.username())
        .append("displayName", u.displayName())
        .append("role", u.role().wireName())
        .append("enabled", u.enabled())
        .append("passwordHash", u.passwordHash())
        .append("sipHa1", new Document(u.sipHa1()))
        .append("createdAt", date(u.createdAt()))
        .append("updatedAt", date(u.updatedAt()));
    if (u.extension() != null) {
      d.append("extension", u.extension());
    }
    return d;
  }

  static User toUser(Document d) {
    Map<String, String> ha1 = new HashMap<>();
    Document sip = d.get("sipHa1", Document.class);
    if (sip != null) {
      sip.forEach((k, v) -> ha1.put(k, String.valueOf(v)));
    }
    Role role = Role.fromWire(d.getString("role"));
    return new User(d.getString("username"), d.getString("displayName"), d.getString("extension"),
        role == null ? Role.USER : role, d.getBoolean("enabled", true), d.getString("passwordHash"), ha1,
        instant(d.getDate("createdAt")), instant(d.getDate("updatedAt")));
  }

  private static Date date(Instant i) {
    return i == null ? null : Date.from(i);
  }

  private static Instant instant(Date d) {
    return d == null ? null : d.toInstant();
  }
}
