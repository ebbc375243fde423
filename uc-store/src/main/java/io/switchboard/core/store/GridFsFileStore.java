package io.switchboard.core.store;

import com.mongodb.MongoGridFSException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.gridfs.GridFSBucket;
import com.mongodb.client.gridfs.GridFSBuckets;
import com.mongodb.client.gridfs.model.GridFSFile;
import com.mongodb.client.gridfs.model.GridFSUploadOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import io.switchboard.core.files.FileContent;
import io.switchboard.core.files.FileStore;
import io.switchboard.core.files.FileTypes;
import io.switchboard.core.files.StoredFile;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.bson.BsonString;
import org.bson.Document;
import org.bson.types.Binary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link FileStore} in GridFS through the MongoDB driver's {@link GridFSBucket} (collections {@code files.files}
 * and {@code files.chunks}, 255 KB chunks), on a real MongoDB and on the embedded store alike. The file's
 * description is the GridFS file's {@code metadata}; its {@code _id} is the random id of the links.
 */
public final class GridFsFileStore implements FileStore {

  private static final Logger LOG = LoggerFactory.getLogger(GridFsFileStore.class);
  static final String BUCKET = "files";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Vertx vertx;
  private final MongoStore store;
  private final GridFSBucket bucket;
  private final MongoCollection<Document> descriptions;
  private final MongoCollection<Document> chunkDocuments;

  public GridFsFileStore(Vertx vertx, MongoStore store) {
    this.vertx = vertx;
    this.store = store;
    this.bucket = GridFSBuckets.create(store.database(), BUCKET);
    this.descriptions = store.database().getCollection(BUCKET + ".files");
    this.chunkDocuments = store.database().getCollection(BUCKET + ".chunks");
  }

  /** 128 random bits, URL-safe base64 without padding (22 characters): ids and tokens. */
  static String random128() {
    byte[] bits = new byte[16];
    RANDOM.nextBytes(bits);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
  }

  @Override
  public Future<StoredFile> save(Path upload, String name, String claimedType, String owner) {
    return blocking(() -> {
      byte[] head = new byte[FileTypes.HEAD];
      int read;
      try (InputStream in = Files.newInputStream(upload)) {
        read = in.readNBytes(head, 0, head.length);
      }
      String type = FileTypes.checked(claimedType, java.util.Arrays.copyOf(head, read));
      String id = random128();
      String token = random128();
      Instant now = Instant.now();
      Document metadata = new Document("type", type).append("owner", owner).append("token", token)
          .append("createdAt", Date.from(now)).append("participants", List.of());
      try (InputStream in = Files.newInputStream(upload)) {
        bucket.uploadFromStream(new BsonString(id), name, in, new GridFSUploadOptions().metadata(metadata));
      }
      store.makeDurable();
      long size = Files.size(upload);
      LOG.debug("File stored [id: {}, owner: {}, size: {}, type: {}]", id, owner, size, type);
      return new StoredFile(id, name, size, type, owner, token, now, null, List.of());
    });
  }

  @Override
  public Future<Optional<StoredFile>> find(String id) {
    return blocking(() -> Optional.ofNullable(bucket.find(Filters.eq("_id", id)).first()).map(GridFsFileStore::described));
  }

  @Override
  public Future<FileContent> open(String id) {
    return blocking(() -> {
      GridFSFile file = bucket.find(Filters.eq("_id", id)).first();
      if (file == null) {
        throw StoreException.notFound("no file " + id);
      }
      return new ChunkReader(id, file.getLength(), file.getChunkSize());
    });
  }

  /**
   * Reads a file's chunks one query each ({@code files_id} and {@code n}, on the index GridFS keeps), not through
   * the driver's download stream: its cursor fetches a hundred chunks per batch, and the embedded server
   * materialises a cursor's whole result, so either would hold the file in memory.
   */
  private final class ChunkReader implements FileContent {

    private final String id;
    private final long length;
    private final int chunkSize;
    private final long chunks;
    private int nextChunk;
    private volatile boolean closed;

    ChunkReader(String id, long length, int chunkSize) {
      this.id = id;
      this.length = length;
      this.chunkSize = chunkSize;
      this.chunks = chunkSize <= 0 ? 0 : (length + chunkSize - 1) / chunkSize;
    }

    @Override
    public Future<Buffer> next() {
      return blocking(() -> {
        if (closed) {
          throw new IllegalStateException("file " + id + ": read after close");
        }
        if (nextChunk >= chunks) {
          return Buffer.buffer();
        }
        int n = nextChunk;
        Document chunk = chunkDocuments.find(Filters.and(Filters.eq("files_id", id), Filters.eq("n", n))).first();
        if (chunk == null) {
          throw StoreException.notFound("file " + id + ": chunk " + n + " is missing (deleted while read?)");
        }
        byte[] data = chunk.get("data", Binary.class).getData();
        long expected = Math.min(chunkSize, length - (long) n * chunkSize);
        if (data.length != expected) {
          throw new IllegalStateException("file " + id + ": chunk " + n + " holds " + data.length + " bytes, not " + expected);
        }
        nextChunk = n + 1;
        return Buffer.buffer(data);
      });
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  @Override
  public Future<Void> share(String id, String conversation, List<String> participants) {
    return blocking(() -> {
      descriptions.updateOne(Filters.eq("_id", id), Updates.combine(Updates.set("metadata.conversation", conversation),
          Updates.set("metadata.participants", participants)));
      store.makeDurable();
      return null;
    });
  }

  @Override
  public Future<Void> delete(String id) {
    return blocking(() -> {
      deleteQuietly(id);
      store.makeDurable();
      return null;
    });
  }

  @Override
  public Future<Integer> deleteOwnedBy(String owner) {
    return blocking(() -> {
      List<String> ids = new ArrayList<>();
      bucket.find(Filters.eq("metadata.owner", owner)).forEach(f -> ids.add(f.getId().asString().getValue()));
      ids.forEach(this::deleteQuietly);
      if (!ids.isEmpty()) {
        store.makeDurable();
        LOG.info("Files of a deleted user removed [user: {}, files: {}]", owner, ids.size());
      }
      return ids.size();
    });
  }

  @Override
  public Future<List<StoredFile>> createdBefore(Instant cutoff, int limit) {
    return blocking(() -> bucket.find(Filters.lt("uploadDate", Date.from(cutoff))).sort(Sorts.ascending("uploadDate"))
        .limit(limit).map(GridFsFileStore::described).into(new ArrayList<>()));
  }

  /** Chunks first, then the description (the driver's order): a crash between leaves no file without bytes. */
  private void deleteQuietly(String id) {
    try {
      bucket.delete(new BsonString(id));
    } catch (MongoGridFSException e) {
      // gone already (another node, or twice on one deletion)
    }
  }

  private static StoredFile described(GridFSFile f) {
    Document m = f.getMetadata() == null ? new Document() : f.getMetadata();
    Date created = m.getDate("createdAt");
    return new StoredFile(f.getId().asString().getValue(), f.getFilename(), f.getLength(),
        m.getString("type") == null ? FileTypes.OCTET_STREAM : m.getString("type"), m.getString("owner"),
        m.getString("token"), (created == null ? f.getUploadDate() : created).toInstant(), m.getString("conversation"),
        m.getList("participants", String.class, List.of()));
  }

  private <T> Future<T> blocking(Callable<T> work) {
    return MongoCalls.blocking(vertx, store, () -> {
      try {
        return work.call();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }
}
