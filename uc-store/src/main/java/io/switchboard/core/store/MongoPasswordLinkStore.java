package io.switchboard.core.store;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.bson.Document;

/** {@link PasswordLinkStore} on MongoDB: collection {@code password_links}, keyed by the token's hash ({@code _id}). */
public final class MongoPasswordLinkStore implements PasswordLinkStore {

  static final String COLLECTION = "password_links";

  private final Vertx vertx;
  private final MongoStore store;
  private final MongoCollection<Document> links;

  public MongoPasswordLinkStore(Vertx vertx, MongoStore store) {
    this.vertx = vertx;
    this.store = store;
    this.links = store.database().getCollection(COLLECTION);
  }

  @Override
  public Future<Void> create(Link link, Instant now) {
    return blocking(() -> {
      // A handful of documents at most (links live for days): the scans are cheap.
      links.deleteMany(Filters.or(Filters.eq("username", link.username()), Filters.lt("expiresAt", Date.from(now))));
      links.insertOne(new Document("_id", link.tokenHash()).append("username", link.username())
          .append("expiresAt", Date.from(link.expiresAt())).append("used", false));
      store.makeDurable();
      return null;
    });
  }

  @Override
  public Future<Optional<Link>> find(String tokenHash) {
    return blocking(() -> Optional.ofNullable(links.find(Filters.eq("_id", tokenHash)).first())
        .map(d -> new Link(d.getString("_id"), d.getString("username"), d.getDate("expiresAt").toInstant(),
            d.getBoolean("used", true))));
  }

  @Override
  public Future<Boolean> use(String tokenHash) {
    return blocking(() -> {
      boolean took = links.updateOne(Filters.and(Filters.eq("_id", tokenHash), Filters.eq("used", false)),
          Updates.set("used", true)).getModifiedCount() == 1;
      store.makeDurable();
      return took;
    });
  }

  @Override
  public Future<Void> release(String tokenHash) {
    return blocking(() -> {
      links.updateOne(Filters.eq("_id", tokenHash), Updates.set("used", false));
      store.makeDurable();
      return null;
    });
  }

  private <T> Future<T> blocking(Callable<T> work) {
    return MongoCalls.blocking(vertx, store, work);
  }
}
