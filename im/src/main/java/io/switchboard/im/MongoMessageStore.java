package io.switchboard.im;

import com.mongodb.MongoCommandException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.InsertOneModel;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.Updates;
import io.switchboard.core.store.MongoCalls;
import io.switchboard.core.store.MongoStore;
import io.switchboard.core.store.WriteBatcher;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.Callable;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.Binary;

/**
 * {@link MessageStore} on MongoDB collection {@code messages}, one document per recipient. The writes
 * of the message path (insert, marked delivered, attempts) go through the collection's
 * {@link WriteBatcher}: applied in order, durable when they complete, one commit per batch.
 *
 * <p>A stored message being delivered is {@value #DELIVERING} in the document, with the node that
 * claimed it ({@code claimedBy}) and the end of its lease ({@code leaseUntil}); it reads as STORED.
 */
public final class MongoMessageStore implements MessageStore {

  private final Vertx vertx;
  private final MongoStore store;
  private final MongoCollection<Document> messages;
  private final WriteBatcher writes;
  /** The state in the store of a message claimed for delivery (see {@link #claim}); never seen outside. */
  static final String DELIVERING = "DELIVERING";

  public MongoMessageStore(Vertx vertx, MongoStore store) {
    this.vertx = vertx;
    this.store = store;
    this.messages = store.database().getCollection("messages");
    this.writes = store.writes(vertx, "messages");
  }

  /**
   * Blocking: one index per query shape, so that none looks at more than its own documents, on a real
   * MongoDB and on the embedded store alike (which answers them with the leading equalities and a
   * range on the next field): stored messages of a recipient in order (delivery on registration), stored
   * messages by age (the expiry sweep), a conversation's page, and a
   * user's latest messages either way (the conversation list). The single-field indexes of before are
   * dropped: each is the prefix of one of these.
   */
  public void createIndexes() {
    messages.createIndex(Indexes.ascending("to", "state", "createdAt", "seq"), new IndexOptions().name("to_state_created"));
    messages.createIndex(Indexes.ascending("state", "createdAt"), new IndexOptions().name("state_created"));
    messages.createIndex(Indexes.ascending("from", "createdAt", "seq"), new IndexOptions().name("from_created"));
    messages.createIndex(Indexes.ascending("conversation", "createdAt", "seq"), new IndexOptions().name("conversation_created"));
    // An IMDN names the original by the id its sender gave it in the CPIM envelope. Sparse: only messages
    // that carry one (CPIM with imdn.Message-ID) are in it, so a plain text message costs it nothing.
    messages.createIndex(Indexes.ascending("imdnId"), new IndexOptions().name("imdn_id").sparse(true));
    for (String old : List.of("to", "from", "conversation")) {
      try {
        messages.dropIndex(old);
      } catch (MongoCommandException e) {
        // not there (a new store, or dropped already)
      }
    }
  }

  @Override
  public Future<Void> insert(StoredMessage m) {
    return writes.write(new InsertOneModel<>(toDocument(m)));
  }

  /** Counted: whether it was still STORED is this update's own modified count, not its batch's. */
  @Override
  public Future<Boolean> markDelivered(String id, Instant deliveredAt) {
    return writes.writeCounted(new UpdateOneModel<>(stored(id), Updates.combine(
            Updates.set("state", MessageState.DELIVERED.name()), Updates.set("deliveredAt", Date.from(deliveredAt)))))
        .map(result -> result.getModifiedCount() > 0);
  }

  /** The message, if it is still STORED or claimed: the states a delivery may end. */
  private static Bson stored(String id) {
    return Filters.and(Filters.eq("_id", id), Filters.in("state", MessageState.STORED.name(), DELIVERING));
  }

  /** The message, if it is STORED or its claim's lease has lapsed: free to claim or to expire. */
  private static Bson unclaimed(String id, Instant now) {
    return Filters.and(Filters.eq("_id", id), Filters.or(Filters.eq("state", MessageState.STORED.name()),
        Filters.and(Filters.eq("state", DELIVERING), Filters.lt("leaseUntil", Date.from(now)))));
  }

  /**
   * One conditional findOneAndUpdate, atomic in the store (MongoDB, and the embedded server, which
   * applies a findAndModify under its collection's lock): of any number of nodes, one gets it.
   */
  @Override
  public Future<Boolean> claim(String id, String node, Instant now, Instant leaseUntil) {
    return blocking(() -> messages.findOneAndUpdate(unclaimed(id, now), Updates.combine(
        Updates.set("state", DELIVERING), Updates.set("claimedBy", node), Updates.set("leaseUntil", Date.from(leaseUntil))))
        != null);
  }

  @Override
  public Future<Void> unclaim(String id, String node) {
    return writes.write(new UpdateOneModel<>(Filters.and(Filters.eq("_id", id), Filters.eq("state", DELIVERING),
        Filters.eq("claimedBy", node)), Updates.combine(Updates.set("state", MessageState.STORED.name()),
        Updates.unset("claimedBy"), Updates.unset("leaseUntil"), Updates.inc("attempts", 1))));
  }

  @Override
  public Future<Void> countAttempt(String id) {
    return writes.write(new UpdateOneModel<>(Filters.eq("_id", id), Updates.inc("attempts", 1)));
  }

  @Override
  public Future<List<StoredMessage>> storedFor(String username) {
    // Two queries that the (to, state, createdAt) index answers each, merged in order.
    return blocking(() -> {
      List<Document> both = new ArrayList<>();
      for (String state : List.of(MessageState.STORED.name(), DELIVERING)) {
        messages.find(Filters.and(Filters.eq("to", username), Filters.eq("state", state)))
            .sort(Sorts.ascending("createdAt", "seq")).forEach(both::add);
      }
      both.sort(OLDEST_FIRST);
      return list(both);
    });
  }

  private static final java.util.Comparator<Document> OLDEST_FIRST = java.util.Comparator
      .comparing((Document d) -> d.getDate("createdAt"))
      .thenComparingLong(d -> d.get("seq") instanceof Number n ? n.longValue() : 0L);

  @Override
  public Future<List<StoredMessage>> expireBefore(Instant cutoff) {
    return blocking(() -> {
      // Per state, so that the (state, createdAt) index answers each.
      List<Document> old = new ArrayList<>();
      for (String state : List.of(MessageState.STORED.name(), DELIVERING)) {
        messages.find(Filters.and(Filters.eq("state", state), Filters.lt("createdAt", Date.from(cutoff)))).forEach(old::add);
      }
      Instant now = Instant.now();
      List<StoredMessage> expired = new ArrayList<>();
      for (StoredMessage m : list(old)) {
        // Still STORED (or claimed by a node that let its lease lapse): one delivered since the find stays delivered.
        if (messages.updateOne(unclaimed(m.id(), now), Updates.set("state", MessageState.EXPIRED.name())).getModifiedCount() > 0) {
          expired.add(m.withState(MessageState.EXPIRED, null));
        }
      }
      if (!expired.isEmpty()) {
        store.makeDurable();
      }
      return expired;
    });
  }

  /** Through the (conversation, createdAt) index; a copy being sent right now (its lease running) is left to its sender. */
  @Override
  public Future<List<StoredMessage>> expireConversation(String conversation) {
    return blocking(() -> {
      Instant now = Instant.now();
      List<StoredMessage> expired = new ArrayList<>();
      List<StoredMessage> copies = list(messages.find(Filters.and(Filters.eq("conversation", conversation),
          Filters.in("state", MessageState.STORED.name(), DELIVERING))));
      for (StoredMessage m : copies) {
        if (messages.updateOne(unclaimed(m.id(), now), Updates.set("state", MessageState.EXPIRED.name())).getModifiedCount() > 0) {
          expired.add(m.withState(MessageState.EXPIRED, null));
        }
      }
      if (!expired.isEmpty()) {
        store.makeDurable();
      }
      return expired;
    });
  }

  @Override
  public Future<List<StoredMessage>> history(String conversation, String copiesOf, Instant before, int limit) {
    return blocking(() -> {
      List<Bson> conditions = new ArrayList<>(List.of(Filters.eq("conversation", conversation)));
      if (copiesOf != null) {
        conditions.add(Filters.eq("to", copiesOf));
      }
      if (before != null) {
        conditions.add(Filters.lt("createdAt", Date.from(before)));
      }
      Bson filter = Filters.and(conditions);
      return list(messages.find(filter).sort(Sorts.descending("createdAt", "seq")).limit(limit));
    });
  }

  /**
   * Queries that each an index answers in its order, so that each reads at most {@code limit} documents
   * however long the user's history, merged: the latest sent ({@code from_created}) and the latest received
   * in each state ({@code to_state_created}: the state comes before the time in its key). An {@code $or}
   * of two fields is a scan on the embedded store.
   */
  @Override
  public Future<List<StoredMessage>> recentFor(String username, int limit) {
    return blocking(() -> {
      Bson latestFirst = Sorts.descending("createdAt", "seq");
      java.util.Map<String, Document> both = new java.util.HashMap<>();
      List<String> states = new ArrayList<>(java.util.Arrays.stream(MessageState.values()).map(Enum::name).toList());
      states.add(DELIVERING);
      for (String state : states) {
        messages.find(Filters.and(Filters.eq("to", username), Filters.eq("state", state))).sort(latestFirst)
            .limit(limit).forEach(d -> both.put(d.getString("_id"), d));
      }
      messages.find(Filters.eq("from", username)).sort(latestFirst).limit(limit).forEach(d -> both.put(d.getString("_id"), d));
      return both.values().stream().sorted(OLDEST_FIRST.reversed()).limit(limit).map(MongoMessageStore::fromDocument).toList();
    });
  }

  /**
   * The same queries as {@link #recentFor} (or a conversation's, as {@link #history}), each answered by
   * its index up to the equalities and the time range, with the words as case-insensitive regular
   * expressions on {@code text} beside them: each reads only the user's own messages in that range,
   * however large the store, and returns at most {@code limit}; merged newest first. No text index:
   * the embedded store has none, and on MongoDB a {@code $text} index would answer words across every
   * user's messages, then drop all but this user's (see README, "Search").
   */
  @Override
  public Future<List<StoredMessage>> search(MessageSearch search) {
    return blocking(() -> {
      List<Document> queries = new ArrayList<>();
      if (search.conversation() != null) {
        // A room's history holds a copy per member: the user's own. A conversation of two holds one each way.
        Document inConversation = new Document("conversation", search.conversation());
        queries.add(search.conversation().startsWith("room:") ? inConversation.append("to", search.user()) : inConversation);
      } else {
        List<String> states = new ArrayList<>(java.util.Arrays.stream(MessageState.values()).map(Enum::name).toList());
        states.add(DELIVERING);
        for (String state : states) {
          queries.add(new Document("to", search.user()).append("state", state));
        }
        // Sent one-to-one; a room message the user sent is found by their own copy, above.
        queries.add(new Document("from", search.user()).append("room", null));
      }
      Bson latestFirst = Sorts.descending("createdAt", "seq");
      java.util.Map<String, Document> hits = new java.util.HashMap<>();
      for (Document query : queries) {
        if (search.from() != null) {
          if (query.containsKey("from") && !search.from().equals(query.get("from"))) {
            continue; // the user's own messages, searched for someone else's
          }
          query.append("from", search.from());
        }
        narrow(query, search);
        messages.find(query).sort(latestFirst).limit(search.limit()).forEach(d -> hits.put(d.getString("_id"), d));
      }
      return hits.values().stream().sorted(OLDEST_FIRST.reversed()).limit(search.limit())
          .map(MongoMessageStore::fromDocument).toList();
    });
  }

  /**
   * The time range and the words, added to a query as one condition per field, so that the query stays
   * a plain document of equalities and ranges the store's planner reads (an {@code $and} of conditions on
   * one field it may not): every word in one expression, each as a look-ahead from the start.
   */
  private static void narrow(Document query, MessageSearch search) {
    Document range = new Document();
    if (search.after() != null) {
      range.append("$gt", Date.from(search.after()));
    }
    if (search.before() != null) {
      range.append("$lt", Date.from(search.before()));
    }
    if (!range.isEmpty()) {
      query.append("createdAt", range);
    }
    if (!search.words().isEmpty()) {
      StringBuilder all = new StringBuilder("^");
      search.words().forEach(word -> all.append("(?=[\\s\\S]*").append(MessageSearch.literal(word)).append(')'));
      query.append("text", new org.bson.BsonRegularExpression(all.toString(), "i"));
    }
  }

  @Override
  public Future<java.util.Optional<StoredMessage>> find(String id) {
    return blocking(() -> java.util.Optional.ofNullable(messages.find(Filters.eq("_id", id)).first())
        .map(MongoMessageStore::fromDocument));
  }

  @Override
  public Future<java.util.Optional<StoredMessage>> findByImdnId(String to, String imdnId) {
    return blocking(() -> java.util.Optional.ofNullable(
        messages.find(Filters.and(Filters.eq("imdnId", imdnId), Filters.eq("to", to))).first())
        .map(MongoMessageStore::fromDocument));
  }

  /** Counted, like markDelivered: only the first notification of each status is recorded. */
  @Override
  public Future<Boolean> recordReceipt(String id, String status, Instant at) {
    String field = "receipts." + status;
    Bson update = Updates.set(field, Date.from(at));
    if ("displayed".equals(status)) {
      update = Updates.combine(update, Updates.set("displayedAt", Date.from(at)));
    }
    return writes.writeCounted(new UpdateOneModel<>(Filters.and(Filters.eq("_id", id), Filters.exists(field, false)),
        update)).map(result -> result.getModifiedCount() > 0);
  }

  /** Read by the conversation's index, the file picked out here: a sweep of old files, rare and small. */
  @Override
  public Future<List<StoredMessage>> withFile(String conversation, String fileId) {
    return blocking(() -> list(messages.find(Filters.and(Filters.eq("conversation", conversation),
        Filters.eq("file.id", fileId)))));
  }

  private static final java.util.concurrent.atomic.AtomicLong LAST_SEQ = new java.util.concurrent.atomic.AtomicLong();

  /** Epoch nanoseconds, strictly increasing within this process (and across restarts, with a sane clock). */
  private static long nextSeq() {
    Instant now = Instant.now();
    long nanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    return LAST_SEQ.updateAndGet(last -> Math.max(last + 1, nanos));
  }

  private <T> Future<T> blocking(Callable<T> work) {
    return MongoCalls.blocking(vertx, store, work);
  }

  private static List<StoredMessage> list(Iterable<Document> docs) {
    List<StoredMessage> out = new ArrayList<>();
    docs.forEach(d -> out.add(fromDocument(d)));
    return out;
  }

  private static Document toDocument(StoredMessage m) {
    Document d = new Document("_id", m.id())
        .append("from", m.from())
        .append("fromDisplayName", m.fromDisplayName())
        .append("to", m.to())
        .append("room", m.room())
        .append("conversation", m.conversation())
        .append("contentType", m.contentType())
        .append("body", new Binary(m.body()))
        .append("text", m.text())
        .append("state", m.state().name())
        .append("createdAt", Date.from(m.createdAt()))
        // Several messages can share a millisecond: a sequence keeps their order.
        .append("seq", nextSeq())
        .append("deliveredAt", m.deliveredAt() == null ? null : Date.from(m.deliveredAt()))
        .append("attempts", m.attempts())
        .append("file", m.file() == null ? null : Document.parse(m.file().toJson().encode()));
    // Only CPIM carries one (RFC 5438 §6.3): what an IMDN from the recipient refers to. Absent otherwise (sparse index).
    String imdnId = m.isCpim() ? Imdn.envelope(m).messageId() : null;
    if (imdnId != null) {
      d.append("imdnId", imdnId);
    }
    if (m.displayedAt() != null) {
      d.append("displayedAt", Date.from(m.displayedAt()));
    }
    return d;
  }

  /** A claimed message is still stored as far as anyone reading it knows. */
  private static MessageState stateOf(String state) {
    return DELIVERING.equals(state) ? MessageState.STORED : MessageState.valueOf(state);
  }

  private static StoredMessage fromDocument(Document d) {
    Date delivered = d.getDate("deliveredAt");
    Date displayed = d.getDate("displayedAt");
    Object body = d.get("body");
    byte[] bytes = body instanceof Binary b ? b.getData() : body instanceof byte[] raw ? raw : new byte[0];
    return new StoredMessage(d.getString("_id"), d.getString("from"), d.getString("fromDisplayName"), d.getString("to"),
        d.getString("room"), d.getString("conversation"), d.getString("contentType"), bytes, d.getString("text"),
        stateOf(d.getString("state")), d.getDate("createdAt").toInstant(),
        delivered == null ? null : delivered.toInstant(), d.getInteger("attempts", 0),
        displayed == null ? null : displayed.toInstant(), fileOf(d.get("file", Document.class)));
  }

  private static io.switchboard.api.im.FileRef fileOf(Document file) {
    return file == null ? null : io.switchboard.api.im.FileRef.fromJson(new io.vertx.core.json.JsonObject(file.toJson()));
  }
}
