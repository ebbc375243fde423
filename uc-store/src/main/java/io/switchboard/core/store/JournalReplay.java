package io.switchboard.core.store;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.CRC32C;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up, before the backend opens the file: applies the journal files a crash left after the last
 * checkpoint straight to the document maps (a put or removal by key, in the order written, so applying a
 * record twice changes nothing), then drops the index maps (unique or not) of the collections it touched. An
 * index whose map is gone is built from the documents when the backend opens it, so the indexes follow the
 * documents even where the checkpoint caught a write half applied (its document map and its index map are
 * committed as two maps) or a replay in order would pass through a transient duplicate. A record cut
 * short by the crash (length or CRC32C wrong) ends its file: it was never acknowledged.
 */
final class JournalReplay {

  private static final Logger LOG = LoggerFactory.getLogger(JournalReplay.class);

  /** No dot: a database's drop removes the maps named with its name and a dot. */
  static final String CHECKPOINT_MAP = "switchboard-journal";
  static final String REPLAY_FROM = "replayFrom";
  private static final String DATA_SIZE = "dataSize";
  private static final int MAX_RECORD = 64 << 20;

  private JournalReplay() {
  }

  /** A record as read back. */
  record Entry(byte op, String namespace, Object key, byte[] bson) {
  }

  /** What one file held: its records up to the first torn one, and how many bytes followed that. */
  record FileRecords(List<Entry> entries, long tornBytes) {
  }

  /**
   * Blocking. Replays the files from the last checkpoint's number on, commits the result with the next
   * number as the new starting point, deletes the replayed files and returns that number: where the
   * journal goes on.
   */
  static long replay(MVStore store, Path dir) {
    long started = System.nanoTime();
    MVMap<String, Long> checkpoint = store.openMap(CHECKPOINT_MAP);
    long from = checkpoint.getOrDefault(REPLAY_FROM, 0L);
    List<Long> numbers = StoreJournal.numbers(dir);
    long next = Math.max(from, numbers.isEmpty() ? 0 : numbers.get(numbers.size() - 1) + 1);
    next = Math.max(next, 1);
    long records = 0;
    long torn = 0;
    int files = 0;
    Set<String> touched = new TreeSet<>();
    for (long n : numbers) {
      if (n < from) {
        continue; // covered by the checkpoint; its deletion did not finish
      }
      FileRecords read = read(StoreJournal.file(dir, n));
      files++;
      torn += read.tornBytes();
      for (Entry e : read.entries()) {
        apply(store, e);
        touched.add(e.namespace());
      }
      records += read.entries().size();
    }
    List<String> dropped = dropIndexes(store, touched);
    checkpoint.put(REPLAY_FROM, next);
    store.commit();
    store.sync();
    StoreJournal.deleteBefore(dir, next);
    if (records > 0 || torn > 0) {
      LOG.info("Store journal replayed [files: {}, records: {}, collections: {}, torn tail: {} bytes, indexes to rebuild: {}, "
          + "took: {} ms]", files, records, touched, torn, dropped.size(), (System.nanoTime() - started) / 1_000_000);
    }
    return next;
  }

  private static void apply(MVStore store, Entry e) {
    MVMap<Object, byte[]> documents = store.openMap(StoreFileFormat.DATA_PREFIX + e.namespace(),
        BsonH2Backend.collectionMap());
    byte[] before = e.op() == StoreJournal.PUT ? documents.put(e.key(), e.bson()) : documents.remove(e.key());
    long delta = size(e.op() == StoreJournal.PUT ? e.bson() : null) - size(before);
    if (delta != 0) {
      MVMap<String, Object> meta = store.openMap(StoreFileFormat.META_PREFIX + e.namespace());
      Object size = meta.get(DATA_SIZE);
      meta.put(DATA_SIZE, (size instanceof Number number ? number.longValue() : 0L) + delta);
    }
  }

  private static long size(byte[] bson) {
    return bson == null ? 0 : bson.length;
  }

  /**
   * The index maps (unique, non-unique, sparse) of the touched collections; all of a database's when its
   * {@code system.*} collections (where indexes are defined) were touched. Returns the names dropped.
   */
  private static List<String> dropIndexes(MVStore store, Set<String> touched) {
    Set<String> prefixes = new TreeSet<>();
    for (String namespace : touched) {
      int dot = namespace.indexOf('.');
      boolean system = dot > 0 && namespace.startsWith("system.", dot + 1);
      prefixes.add(system ? namespace.substring(0, dot + 1) : namespace + StoreFileFormat.INDEX_INFIX);
    }
    List<String> dropped = new ArrayList<>();
    for (String name : new ArrayList<>(store.getMapNames())) {
      boolean index = name.contains(StoreFileFormat.INDEX_INFIX) && !name.startsWith(StoreFileFormat.META_PREFIX)
          && !name.startsWith(StoreFileFormat.DATA_PREFIX);
      if (index && prefixes.stream().anyMatch(name::startsWith)) {
        store.removeMap(name);
        dropped.add(name);
      }
    }
    return dropped;
  }

  /** Blocking: the records of one journal file, up to the first that is incomplete or fails its CRC. */
  static FileRecords read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the store journal file " + file, e);
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    List<Entry> entries = new ArrayList<>();
    while (in.remaining() >= StoreJournal.HEADER_BYTES) {
      int start = in.position();
      int length = in.getInt();
      int crc = in.getInt();
      if (length <= 0 || length > MAX_RECORD || length > in.remaining()) {
        in.position(start);
        break;
      }
      CRC32C check = new CRC32C();
      check.update(bytes, in.position(), length);
      if ((int) check.getValue() != crc) {
        in.position(start);
        break;
      }
      entries.add(decode(Unpooled.wrappedBuffer(bytes, in.position(), length)));
      in.position(in.position() + length);
    }
    return new FileRecords(entries, in.remaining());
  }

  private static Entry decode(ByteBuf payload) {
    byte op = payload.readByte();
    byte[] ns = new byte[payload.readUnsignedShort()];
    payload.readBytes(ns);
    Object key = BsonValueType.decode(payload);
    byte[] bson = op == StoreJournal.PUT ? BsonBytesType.read(payload) : null;
    return new Entry(op, new String(ns, StandardCharsets.UTF_8), key, bson);
  }
}
