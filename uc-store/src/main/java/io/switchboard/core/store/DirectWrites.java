package io.switchboard.core.store;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoInterruptedException;
import com.mongodb.ServerAddress;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.bulk.BulkWriteInsert;
import com.mongodb.bulk.BulkWriteResult;
import com.mongodb.bulk.BulkWriteUpsert;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.DeleteManyModel;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.DeleteOptions;
import com.mongodb.client.model.InsertOneModel;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.UpdateManyModel;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.WriteModel;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.ArrayFilters;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.exception.MongoServerError;
import de.bwaldvogel.mongo.exception.MongoServerException;
import de.bwaldvogel.mongo.oplog.NoopOplog;
import de.bwaldvogel.mongo.oplog.Oplog;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.bson.BsonDocument;
import org.bson.Document;
import org.bson.codecs.configuration.CodecRegistry;

/**
 * A {@link WriteBatcher}'s ordered bulk applied to the embedded store's backend in this process: the
 * collection calls the server's {@code insert}/{@code update}/{@code delete} commands make (and so its
 * indexes, unique checks and journal), without the driver's command building and BSON encoding, the
 * loopback socket, the server's decoding and the reply. Outcomes as {@code bulkWrite} reports them: a
 * {@link BulkWriteResult}, or a {@link MongoBulkWriteException} whose one write error (the server's code
 * and message, so {@link MongoCalls} names a duplicate key's field) says which write was at fault; the
 * writes before it were applied, those after it were not (truly ordered: the server's own update command
 * goes on after a failed update). A bulk with a model or option this does not convert (an update
 * pipeline, array filters, a collation, a hint, a sort) goes over the wire unchanged.
 */
final class DirectWrites implements WriteBatcher.BulkWriter {

  private static final BulkWriteOptions ORDERED = new BulkWriteOptions().ordered(true);
  /** The backend's oplog only serves change streams of an emulated replica set, which the embedded store is not. */
  private static final Oplog OPLOG = NoopOplog.get();
  /** The server's code for a write refused without one of its own (the wire's write error then has none). */
  private static final int NO_CODE = -1;

  private final H2Backend backend;
  private final MongoCollection<Document> wire;
  private final CodecRegistry codecs;
  private final String database;
  private final String collection;
  private final ServerAddress address;

  DirectWrites(H2Backend backend, MongoCollection<Document> wire, ServerAddress address) {
    this.backend = backend;
    this.wire = wire;
    this.codecs = wire.getCodecRegistry();
    this.database = wire.getNamespace().getDatabaseName();
    this.collection = wire.getNamespace().getCollectionName();
    this.address = address;
  }

  @Override
  public BulkWriteResult bulkWrite(List<WriteModel<Document>> models) {
    if (Thread.currentThread().isInterrupted()) {
      // The journal's and the file's channels are written on this thread now, and an interrupted thread's
      // file I/O closes them for good; over the wire it was the driver's read that failed. Fail the batch.
      throw new MongoInterruptedException("interrupted before the write [collection: " + collection + "]", null);
    }
    List<Write> writes = new ArrayList<>(models.size());
    for (WriteModel<Document> model : models) {
      Write write = convert(model);
      if (write == null) {
        return wire.bulkWrite(models, ORDERED);
      }
      writes.add(write);
    }
    return apply(writes);
  }

  /** One write as the server's command would take it; null: none this converts. */
  private Write convert(WriteModel<Document> model) {
    if (model instanceof InsertOneModel<Document> insert) {
      Document document = insert.getDocument();
      if (!document.containsKey("_id")) {
        document.put("_id", new org.bson.types.ObjectId()); // as the driver does, for the caller to read
      }
      return new Write(Kind.INSERT, null, BackendValues.collectible(document, codecs), false, false, 0);
    } else if (model instanceof UpdateOneModel<Document> update) {
      return update(update.getFilter(), update.getUpdate(), update.getOptions(), false);
    } else if (model instanceof UpdateManyModel<Document> update) {
      return update(update.getFilter(), update.getUpdate(), update.getOptions(), true);
    } else if (model instanceof ReplaceOneModel<Document> replace) {
      ReplaceOptions options = replace.getReplaceOptions();
      if (options.getCollation() != null || options.getHint() != null || options.getHintString() != null
          || options.getSort() != null) {
        return null;
      }
      for (String key : replace.getReplacement().keySet()) {
        if (key.startsWith("$")) { // as the driver refuses it: a replacement is no update
          throw new IllegalArgumentException("Invalid BSON field name " + key);
        }
      }
      return new Write(Kind.UPDATE, BackendValues.bson(replace.getFilter(), codecs),
          BackendValues.collectible(replace.getReplacement(), codecs), false, options.isUpsert(), 0);
    } else if (model instanceof DeleteOneModel<Document> delete) {
      return delete(delete.getFilter(), delete.getOptions(), 1);
    } else if (model instanceof DeleteManyModel<Document> delete) {
      return delete(delete.getFilter(), delete.getOptions(), 0);
    }
    return null;
  }

  private Write update(org.bson.conversions.Bson filter, org.bson.conversions.Bson update, UpdateOptions options,
      boolean multi) {
    if (update == null || options.getArrayFilters() != null || options.getCollation() != null || options.getHint() != null
        || options.getHintString() != null || options.getSort() != null) {
      return null; // a pipeline, or options the server's command reads beyond the plain update
    }
    de.bwaldvogel.mongo.bson.Document operators = BackendValues.bson(update, codecs);
    if (operators.isEmpty() || !operators.keySet().iterator().next().startsWith("$")) {
      // As the driver refuses it: without operators it would replace the document.
      throw new IllegalArgumentException("Invalid BSON field name "
          + (operators.isEmpty() ? "(empty update)" : operators.keySet().iterator().next()));
    }
    return new Write(Kind.UPDATE, BackendValues.bson(filter, codecs), operators, multi, options.isUpsert(), 0);
  }

  private Write delete(org.bson.conversions.Bson filter, DeleteOptions options, int limit) {
    if (options.getCollation() != null || options.getHint() != null || options.getHintString() != null) {
      return null;
    }
    return new Write(Kind.DELETE, BackendValues.bson(filter, codecs), null, false, false, limit);
  }

  /**
   * In order: each run of inserts in one call, as the server's insert command makes it; stops at the first
   * write at fault.
   */
  private BulkWriteResult apply(List<Write> writes) {
    de.bwaldvogel.mongo.MongoCollection<?> target = target();
    Counts counts = new Counts();
    int at = 0;
    while (at < writes.size()) {
      Write write = writes.get(at);
      try {
        switch (write.kind()) {
          case INSERT -> {
            int end = at;
            List<de.bwaldvogel.mongo.bson.Document> documents = new ArrayList<>();
            while (end < writes.size() && writes.get(end).kind() == Kind.INSERT) {
              documents.add(writes.get(end).document());
              end++;
            }
            List<de.bwaldvogel.mongo.bson.Document> errors = target.insertDocuments(documents, true);
            int inserted = errors.isEmpty() ? documents.size() : ((Number) errors.get(0).get("index")).intValue();
            for (int i = 0; i < inserted; i++) {
              counts.inserts.add(new BulkWriteInsert(at + i, BackendValues.bsonOf(documents.get(i).get("_id"))));
            }
            if (!errors.isEmpty()) {
              de.bwaldvogel.mongo.bson.Document error = errors.get(0);
              throw refused(counts, at + inserted, ((Number) error.get("code")).intValue(), (String) error.get("errmsg"));
            }
            at = end;
          }
          case UPDATE -> {
            de.bwaldvogel.mongo.bson.Document result = target.updateDocuments(write.filter(), write.document(),
                ArrayFilters.empty(), write.multi(), write.upsert(), OPLOG);
            counts.matched += ((Number) result.get("n")).intValue();
            counts.modified += ((Number) result.get("nModified")).intValue();
            if (result.containsKey("upserted")) {
              counts.upserts.add(new BulkWriteUpsert(at, BackendValues.bsonOf(result.get("upserted"))));
            }
            at++;
          }
          case DELETE -> {
            counts.deleted += target.deleteDocuments(write.filter(), write.limit(), OPLOG);
            at++;
          }
          default -> throw new IllegalStateException(write.kind().toString());
        }
      } catch (MongoServerException e) {
        throw refused(counts, at, e instanceof MongoServerError error ? error.getCode() : NO_CODE,
            e.getMessageWithoutErrorCode());
      }
    }
    return counts.result();
  }

  /** The collection, created on its first write as the server's commands create it. */
  private de.bwaldvogel.mongo.MongoCollection<?> target() {
    MongoDatabase db = backend.resolveDatabase(database);
    de.bwaldvogel.mongo.MongoCollection<?> target = db.resolveCollection(collection, false);
    if (target != null) {
      return target;
    }
    synchronized (this) {
      target = db.resolveCollection(collection, false);
      if (target == null) {
        try {
          target = db.createCollectionOrThrowIfExists(collection, CollectionOptions.withDefaults());
        } catch (MongoServerException e) {
          target = db.resolveCollection(collection, true); // created over the wire meanwhile
        }
      }
      return target;
    }
  }

  private MongoBulkWriteException refused(Counts counts, int index, int code, String message) {
    BulkWriteError error = new BulkWriteError(code, message, new BsonDocument(), index);
    return new MongoBulkWriteException(counts.result(), List.of(error), null, address, Set.of());
  }

  private enum Kind {
    INSERT, UPDATE, DELETE
  }

  /**
   * One converted write. document: the insert's document, the update's operators or the replacement;
   * limit: a delete's (1 one, 0 all).
   */
  private record Write(Kind kind, de.bwaldvogel.mongo.bson.Document filter, de.bwaldvogel.mongo.bson.Document document,
      boolean multi, boolean upsert, int limit) {
  }

  /** What the writes applied so far did, as the driver sums its replies. */
  private static final class Counts {
    final List<BulkWriteInsert> inserts = new ArrayList<>();
    final List<BulkWriteUpsert> upserts = new ArrayList<>();
    int matched;
    int modified;
    int deleted;

    BulkWriteResult result() {
      return BulkWriteResult.acknowledged(inserts.size(), matched, deleted, modified, List.copyOf(upserts),
          List.copyOf(inserts));
    }
  }
}
