package io.switchboard.im;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Sorts;
import io.switchboard.core.store.MongoCalls;
import io.switchboard.core.store.MongoStore;
import io.switchboard.core.store.StoreException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bson.Document;

/** {@link RoomStore} on MongoDB collection {@code rooms}, unique by name. */
public final class MongoRoomStore implements RoomStore {

  private final Vertx vertx;
  private final MongoStore store;
  private final MongoCollection<Document> rooms;

  public MongoRoomStore(Vertx vertx, MongoStore store) {
    this.vertx = vertx;
    this.store = store;
    this.rooms = store.database().getCollection("rooms");
  }

  /** Blocking. */
  public void createIndexes() {
    rooms.createIndex(Indexes.ascending("name"), new IndexOptions().unique(true).name("name"));
  }

  @Override
  public Future<Room> create(Room room) {
    return MongoCalls.blocking(vertx, store, () -> {
      rooms.insertOne(new Document("name", room.name()).append("members", room.members())
          .append("createdBy", room.createdBy()).append("createdAt", Date.from(room.createdAt())));
      store.makeDurable();
      return room;
    });
  }

  @Override
  public Future<Optional<Room>> find(String name) {
    return MongoCalls.blocking(vertx, store, () -> Optional.ofNullable(rooms.find(Filters.eq("name", name)).first())
        .map(MongoRoomStore::toRoom));
  }

  @Override
  public Future<List<Room>> list() {
    return MongoCalls.blocking(vertx, store, () -> {
      List<Room> out = new ArrayList<>();
      rooms.find().sort(Sorts.ascending("name")).forEach(d -> out.add(toRoom(d)));
      return out;
    });
  }

  @Override
  public Future<Void> delete(String name) {
    return MongoCalls.blocking(vertx, store, () -> {
      if (rooms.deleteOne(Filters.eq("name", name)).getDeletedCount() == 0) {
        throw StoreException.notFound("no room " + name);
      }
      store.makeDurable();
      return null;
    });
  }

  private static Room toRoom(Document d) {
    return new Room(d.getString("name"), d.getList("members", String.class), d.getString("createdBy"),
        d.getDate("createdAt").toInstant());
  }
}
