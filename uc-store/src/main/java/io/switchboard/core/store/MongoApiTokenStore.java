package io.switchboard.core.store;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.bson.Document;

/**
 * {@link ApiTokenStore} on MongoDB: collection {@code api_tokens}, keyed by the secret's hash
 * ({@code _id}), so that authenticating a request is one look-up by key.
 */
public final class MongoApiTokenStore implements ApiTokenStore {

  static final String COLLECTION = "api_tokens";

  private final Vertx vertx;
  private final MongoStore store;
  private final MongoCollection<Document> tokens;

  public MongoApiTokenStore(Vertx vertx, MongoStore store) {
    this.vertx = vertx;
    this.store = store;
    this.tokens = store.database().getCollection(COLLECTION);
  }

  /** Blocking: call from a worker, once at start. */
  public void createIndexes() {
    tokens.createIndex(Indexes.ascending("id"), new IndexOptions().unique(true).name("id"));
    tokens.createIndex(Indexes.ascending("username"), new IndexOptions().name("username"));
  }

  @Override
  public Future<Void> create(Token token) {
    return blocking(() -> {
      tokens.insertOne(new Document("_id", token.secretHash()).append("id", token.id())
          .append("username", token.username()).append("name", token.name())
          .append("createdAt", Date.from(token.createdAt())));
      store.makeDurable();
      return null;
    });
  }

  @Override
  public Future<Optional<Token>> findBySecretHash(String secretHash) {
    return blocking(() -> Optional.ofNullable(tokens.find(Filters.eq("_id", secretHash)).first())
        .map(MongoApiTokenStore::token));
  }

  @Override
  public Future<List<Token>> list(String username) {
    return blocking(() -> {
      List<Token> list = new ArrayList<>();
      tokens.find(Filters.eq("username", username)).sort(Sorts.ascending("createdAt"))
          .forEach(d -> list.add(token(d)));
      return list;
    });
  }

  @Override
  public Future<Boolean> delete(String username, String id) {
    return blocking(() -> {
      boolean gone = tokens.deleteOne(Filters.and(Filters.eq("id", id), Filters.eq("username", username)))
          .getDeletedCount() == 1;
      store.makeDurable();
      return gone;
    });
  }

  @Override
  public Future<Void> touch(String id, java.time.Instant lastUsedAt) {
    return blocking(() -> {
      // Not made durable: losing a last-used time in a crash costs nothing.
      tokens.updateOne(Filters.eq("id", id), Updates.set("lastUsedAt", Date.from(lastUsedAt)));
      return null;
    });
  }

  private static Token token(Document d) {
    Date lastUsed = d.getDate("lastUsedAt");
    return new Token(d.getString("id"), d.getString("_id"), d.getString("username"), d.getString("name"),
        d.getDate("createdAt").toInstant(), lastUsed == null ? null : lastUsed.toInstant());
  }

  private <T> Future<T> blocking(Callable<T> work) {
    return MongoCalls.blocking(vertx, store, work);
  }
}
