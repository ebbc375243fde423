package io.switchboard.core.store;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoException;
import com.mongodb.MongoWriteException;
import com.mongodb.WriteError;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * Runs sync-driver work on a worker thread (the store's {@code store} pool when it has one) and
 * translates driver errors into {@link StoreException}s: the one place where that happens for every store.
 */
public final class MongoCalls {

  /**
   * Documents per reply when a store reads a whole collection: the embedded server otherwise puts the
   * whole result into one reply, and past 48 MB (200,000 bindings, 100,000 profiles) the driver refuses it.
   * Also the size of each range of {@link #inIdRanges}.
   */
  public static final int READ_BATCH = 1000;

  /** "E11000 duplicate key error ... index: extension dup key: ...": unique indexes are named after their field. */
  private static final Pattern INDEX = Pattern.compile("index: (\\S+) dup key");

  private MongoCalls() {
  }

  /** On the {@code store} pool the store was opened with (a full queue fails with an OverloadedException). */
  public static <T> Future<T> blocking(Vertx vertx, MongoStore store, Callable<T> work) {
    return store.pool() == null ? blocking(vertx, work) : store.pool().submit(translating(work));
  }

  /** On Vert.x's shared worker pool. */
  public static <T> Future<T> blocking(Vertx vertx, Callable<T> work) {
    return vertx.executeBlocking(translating(work), false);
  }

  /**
   * Blocking: every document of the collection, handed to {@code each} {@code range} at a time in {@code _id}
   * order, each range its own query ({@code _id} greater than the last one's, sorted by {@code _id}, limited).
   * A plain {@code find()} makes the embedded server materialise the whole result for its cursor (200,000
   * bindings on the heap at once, next to the driver's copies); a range is walked from its {@code _id} index
   * there ({@code IdNarrowedCollection}) and on MongoDB alike. For collections keyed by strings or ObjectIds
   * (one type of {@code _id}): a document inserted meanwhile below the last range read is not seen, as with
   * any cursor that has passed it.
   */
  public static void inIdRanges(MongoCollection<Document> collection, int range, Consumer<List<Document>> each) {
    inIdRanges(collection, null, range, each);
  }

  /** As {@link #inIdRanges(MongoCollection, int, Consumer)}, each document with the fields of {@code projection} only. */
  public static void inIdRanges(MongoCollection<Document> collection, Bson projection, int range,
      Consumer<List<Document>> each) {
    Object after = null;
    while (true) {
      Bson filter = after == null ? new Document() : Filters.gt("_id", after);
      List<Document> page = collection.find(filter).projection(projection).sort(Sorts.ascending("_id")).limit(range)
          .into(new ArrayList<>(range));
      if (page.isEmpty()) {
        return;
      }
      after = page.get(page.size() - 1).get("_id");
      each.accept(page);
      if (page.size() < range) {
        return;
      }
    }
  }

  /**
   * How many documents an ordered {@code insertMany} wrote before it failed: those before the first
   * one at fault; unknown (-1) when the failure was not a document's (the connection went, say).
   */
  static int writtenBefore(MongoException e) {
    return e instanceof MongoBulkWriteException bulk && !bulk.getWriteErrors().isEmpty()
        ? bulk.getWriteErrors().get(0).getIndex() : -1;
  }

  private static <T> Callable<T> translating(Callable<T> work) {
    return () -> {
      try {
        return work.call();
      } catch (MongoException e) {
        throw translate(e);
      }
    };
  }

  static StoreException translate(MongoException e) {
    if (e instanceof MongoBulkWriteException bulk && !bulk.getWriteErrors().isEmpty()) {
      // insertMany: the first document at fault says why, as insertOne's error would.
      var first = bulk.getWriteErrors().get(0);
      if (ErrorCategory.fromErrorCode(first.getCode()) == ErrorCategory.DUPLICATE_KEY) {
        return translate(first, e);
      }
    }
    // insertOne reports a MongoWriteException, findOneAndUpdate a MongoCommandException: both code 11000.
    if (ErrorCategory.fromErrorCode(e.getCode()) == ErrorCategory.DUPLICATE_KEY) {
      String message = e instanceof MongoWriteException w ? String.valueOf(w.getError().getMessage()) : String.valueOf(e.getMessage());
      Matcher m = INDEX.matcher(message);
      String field = m.find() ? m.group(1) : null;
      return new StoreException(StoreException.Kind.CONFLICT, field,
          (field == null ? "value" : field) + " already taken", e);
    }
    return new StoreException(StoreException.Kind.UNAVAILABLE, null, "store error: " + e.getMessage(), e);
  }

  /** One write of a bulk at fault ({@link WriteBatcher}): a duplicate key names its field, as above. */
  static StoreException translate(WriteError error, MongoException cause) {
    if (ErrorCategory.fromErrorCode(error.getCode()) == ErrorCategory.DUPLICATE_KEY) {
      Matcher m = INDEX.matcher(String.valueOf(error.getMessage()));
      String field = m.find() ? m.group(1) : null;
      return new StoreException(StoreException.Kind.CONFLICT, field, (field == null ? "value" : field) + " already taken",
          cause);
    }
    return new StoreException(StoreException.Kind.UNAVAILABLE, null, "store error: " + error.getMessage(), cause);
  }
}
