package io.switchboard.core.store;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Sorts;
import io.switchboard.core.model.Device;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * {@link DeviceStore} on MongoDB, through the sync driver strictly inside executeBlocking. The
 * embedded store ignores non-unique indexes, so a user's devices are found by a scan; offices have
 * a few devices per person, and the unique look-ups (MAC, token, endpoint) are indexed.
 */
public final class MongoDeviceStore implements DeviceStore {

  static final String COLLECTION = "devices";

  private final Vertx vertx;
  private final MongoStore store;
  private final MongoCollection<Document> devices;

  public MongoDeviceStore(Vertx vertx, MongoStore store) {
    this.vertx = vertx;
    this.store = store;
    this.devices = store.database().getCollection(COLLECTION);
  }

  /** Blocking: creates the indexes. Call once at start, inside executeBlocking. */
  public void createIndexes() {
    // Sparse: browsers have no MAC and no endpoint; absent values do not collide.
    devices.createIndex(Indexes.ascending("mac"), new IndexOptions().unique(true).sparse(true).name("mac"));
    devices.createIndex(Indexes.ascending("endpoint"), new IndexOptions().unique(true).sparse(true).name("endpoint"));
    devices.createIndex(Indexes.ascending("token"), new IndexOptions().unique(true).name("token"));
    devices.createIndex(Indexes.ascending("username"), new IndexOptions().name("username"));
  }

  @Override
  public Future<Device> create(Device device) {
    return blocking(() -> {
      devices.insertOne(toDocument(device));
      store.makeDurable();
      return device;
    });
  }

  /** One ordered {@code insertMany} per call and one commit; a failure removes what it wrote before it. */
  @Override
  public Future<Void> createAll(List<Device> batch) {
    return blocking(() -> {
      if (batch.isEmpty()) {
        return null;
      }
      try {
        devices.insertMany(batch.stream().map(MongoDeviceStore::toDocument).toList());
      } catch (com.mongodb.MongoException e) {
        int written = MongoCalls.writtenBefore(e);
        if (written > 0) {
          devices.deleteMany(Filters.in("_id", batch.subList(0, written).stream().map(Device::id).toList()));
        }
        throw e;
      } finally {
        store.makeDurable();
      }
      return null;
    });
  }

  @Override
  public Future<Optional<Device>> find(String id) {
    return one(Filters.eq("_id", id));
  }

  @Override
  public Future<Optional<Device>> findByMac(String mac) {
    return one(Filters.eq("mac", mac));
  }

  @Override
  public Future<Optional<Device>> findByToken(String token) {
    return one(Filters.eq("token", token));
  }

  @Override
  public Future<Optional<Device>> findByEndpoint(String endpoint) {
    return one(Filters.eq("endpoint", endpoint));
  }

  @Override
  public Future<List<Device>> listByUser(String username) {
    return many(Filters.eq("username", username));
  }

  @Override
  public Future<List<Device>> list() {
    return blocking(() -> {
      List<Device> out = new ArrayList<>();
      // In _id ranges, sorted here as many() sorts: a sorted find() of every device made the embedded
      // server hold and sort 100,000 of them at once.
      MongoCalls.inIdRanges(devices, MongoCalls.READ_BATCH, range -> range.forEach(d -> out.add(toDevice(d))));
      out.sort(java.util.Comparator.comparing(Device::createdAt, java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder()))
          .thenComparing(Device::id));
      return out;
    });
  }

  @Override
  public Future<java.util.Map<String, Device.Kind>> kinds() {
    return blocking(() -> {
      java.util.Map<String, Device.Kind> out = new java.util.HashMap<>();
      MongoCalls.inIdRanges(devices, com.mongodb.client.model.Projections.include("kind"), MongoCalls.READ_BATCH,
          range -> range.forEach(d -> out.put(d.getString("_id"), Device.Kind.fromWire(d.getString("kind")))));
      return out;
    });
  }

  @Override
  public Future<Device> update(Device device) {
    return blocking(() -> {
      if (devices.replaceOne(Filters.eq("_id", device.id()), toDocument(device)).getMatchedCount() == 0) {
        throw StoreException.notFound("no device " + device.id());
      }
      store.makeDurable();
      return device;
    });
  }

  @Override
  public Future<Void> delete(String id) {
    return blocking(() -> {
      if (devices.deleteOne(Filters.eq("_id", id)).getDeletedCount() == 0) {
        throw StoreException.notFound("no device " + id);
      }
      store.makeDurable();
      return null;
    });
  }

  private Future<Optional<Device>> one(Bson filter) {
    return blocking(() -> Optional.ofNullable(devices.find(filter).first()).map(MongoDeviceStore::toDevice));
  }

  private Future<List<Device>> many(Bson filter) {
    return blocking(() -> {
      List<Device> out = new ArrayList<>();
      for (Document d : devices.find(filter).sort(Sorts.ascending("createdAt", "_id")).batchSize(MongoCalls.READ_BATCH)) {
        out.add(toDevice(d));
      }
      return out;
    });
  }

  private <T> Future<T> blocking(Callable<T> work) {
    return MongoCalls.blocking(vertx, store, work);
  }

  static Document toDocument(Device d) {
    Document doc = new Document("_id", d.id())
        .append("username", d.username())
        .append("kind", d.kind().wireName())
        .append("token", d.token())
        .append("profile", Document.parse(d.profile().toJson().encode()))
        .append("createdAt", date(d.createdAt()))
        .append("updatedAt", date(d.updatedAt()));
    // Absent rather than null: the sparse unique indexes skip absent fields only.
    putIfPresent(doc, "vendor", d.vendor());
    putIfPresent(doc, "model", d.model());
    putIfPresent(doc, "mac", d.mac());
    putIfPresent(doc, "endpoint", d.endpoint());
    putIfPresent(doc, "sipSecret", d.sipSecret());
    return doc;
  }

  static Device toDevice(Document d) {
    Document profile = d.get("profile", Document.class);
    return new Device(d.getString("_id"), d.getString("username"), Device.Kind.fromWire(d.getString("kind")),
        d.getString("vendor"), d.getString("model"), d.getString("mac"), d.getString("endpoint"),
        d.getString("sipSecret"), d.getString("token"),
        profile == null ? null : Device.Profile.fromJson(new io.vertx.core.json.JsonObject(profile.toJson())),
        instant(d.getDate("createdAt")), instant(d.getDate("updatedAt")));
  }

  private static void putIfPresent(Document doc, String key, String value) {
    if (value != null) {
      doc.append(key, value);
    }
  }

  private static Date date(Instant i) {
    return i == null ? null : Date.from(i);
  }

  private static Instant instant(Date d) {
    return d == null ? null : d.toInstant();
  }
}
