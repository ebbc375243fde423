package io.switchboard.core.sip;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.DeleteManyModel;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import io.switchboard.core.store.MongoStore;
import io.switchboard.core.store.MongoCalls;
import io.switchboard.core.store.WriteBatcher;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.Callable;
import org.bson.Document;

/**
 * {@link BindingStore} on MongoDB collection {@code bindings}, one document per binding. Every
 * REGISTER writes (a refresh too): the writes go through the collection's {@link WriteBatcher}, one
 * bulk and one commit for all that arrive together.
 */
public final class MongoBindingStore implements BindingStore {

  private final Vertx vertx;
  private final MongoStore store;
  private final MongoCollection<Document> bindings;
  private final WriteBatcher writes;

  public MongoBindingStore(Vertx vertx, MongoStore store) {
    this.vertx = vertx;
    this.store = store;
    this.bindings = store.database().getCollection("bindings");
    this.writes = store.writes(vertx, "bindings");
  }

  @Override
  public Future<List<Binding>> loadAll() {
    return blocking(() -> {
      List<Binding> out = new ArrayList<>();
      // In _id ranges: one find() of 200,000 bindings made the embedded server hold them all for its cursor.
      MongoCalls.inIdRanges(bindings, MongoCalls.READ_BATCH, range -> range.forEach(d -> out.add(fromDocument(d))));
      return out;
    });
  }

  @Override
  public Future<List<Binding>> load(String username) {
    return blocking(() -> {
      List<Binding> out = new ArrayList<>(2);
      for (Document d : bindings.find(Filters.eq("username", username))) {
        out.add(fromDocument(d));
      }
      return out;
    });
  }

  /**
   * The index on {@code username}: a user's bindings are read by it right after start, and removed
   * by it ({@link #removeAll}); without it each was a scan of every binding. Built once, when missing.
   */
  @Override
  public Future<Void> prepare() {
    return blocking(() -> {
      bindings.createIndex(Indexes.ascending("username"), new IndexOptions().name("username"));
      return null;
    });
  }

  @Override
  public Future<Void> save(Binding b) {
    return writes.write(new ReplaceOneModel<>(Filters.eq("_id", id(b.username(), b.key())), toDocument(b),
        new ReplaceOptions().upsert(true)));
  }

  @Override
  public Future<Void> remove(String username, String key) {
    return writes.write(new DeleteOneModel<>(Filters.eq("_id", id(username, key))));
  }

  @Override
  public Future<Void> removeAll(String username) {
    return writes.write(new DeleteManyModel<>(Filters.eq("username", username)));
  }

  /**
   * One conditional delete ({@code _id} and the node, one document: the embedded store reads just that
   * one), so that of the nodes that try at once only one removes it, and a binding re-registered on
   * another node since is not touched. In a bulk of its own, for its count; in order with the others.
   */
  @Override
  public Future<Boolean> removeHeldBy(String username, String key, String node) {
    return writes.writeCounted(new DeleteOneModel<>(new Document("_id", id(username, key)).append("node", node)))
        .map(r -> r.getDeletedCount() == 1);
  }

  private <T> Future<T> blocking(Callable<T> work) {
    return MongoCalls.blocking(vertx, store, work);
  }

  private static String id(String username, String key) {
    return username + "|" + key;
  }

  private static Document toDocument(Binding b) {
    return new Document("_id", id(b.username(), b.key()))
        .append("username", b.username())
        .append("key", b.key())
        .append("contact", b.contact())
        .append("expiresAt", Date.from(b.expiresAt()))
        .append("callId", b.callId())
        .append("cseq", b.cseq())
        .append("q", (double) b.q())
        .append("userAgent", b.userAgent())
        .append("accept", b.accept())
        .append("transport", b.transport())
        .append("source", b.source())
        .append("device", b.device())
        .append("node", b.node());
  }

  private static Binding fromDocument(Document d) {
    Number q = d.get("q", Number.class);
    Number cseq = d.get("cseq", Number.class);
    return new Binding(d.getString("username"), d.getString("key"), d.getString("contact"),
        d.getDate("expiresAt").toInstant(), d.getString("callId"), cseq == null ? 0 : cseq.longValue(),
        q == null ? 1f : q.floatValue(), d.getString("userAgent"), d.getList("accept", String.class),
        d.getString("transport"), d.getString("source"), d.getString("device"), d.getString("node"));
  }
}
