package io.switchboard.core.store;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The embedded store's write-ahead journal: every document write, as the document after it (or the
 * key it was removed under), appended to a file before the write reaches the in-memory maps, so that
 * making writes durable is one fsync of an append-only file instead of an MVStore commit (which rewrites,
 * encodes and compresses every touched page). {@link Checkpoints} commits the MVStore now and then and
 * drops the files it covers; {@link JournalReplay} applies what is left after a crash.
 *
 * <p>Files {@code journal/<number>.log}, numbered up from 1; a checkpoint starts the next number. A record
 * is {@code [payload length: int][CRC32C of the payload: int][payload]}, the payload {@code [op: byte]
 * [namespace length: short][namespace: UTF-8][key: BSON value][document: BSON, for a put]}. Each record is
 * written to the file as it is appended (so a killed process loses none), and synced by {@link #sync()}.
 */
final class StoreJournal implements AutoCloseable {

  static final byte PUT = 1;
  static final byte REMOVE = 2;
  static final int HEADER_BYTES = 8;
  private static final String SUFFIX = ".log";

  private final Path dir;
  /**
   * Writers hold it shared from their record to their map write; a rotation holds it exclusively, so that
   * every record in a file before the rotation has reached the maps before the checkpoint's commit begins.
   */
  private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
  private final Object fileLock = new Object();
  private volatile FileChannel channel;
  private volatile long number;
  private final AtomicLong bytesInFile = new AtomicLong();
  private final AtomicLong records = new AtomicLong();
  private volatile Runnable onStructureChange = () -> { };
  /** Where the last sync reached, and how many there were: what a group commit's callers may rely on (tests). */
  private volatile Synced synced = new Synced(0, 0);
  private final AtomicLong syncs = new AtomicLong();

  /** The first {@code bytes} of file {@code number} are on the disk. */
  record Synced(long number, long bytes) {
  }

  private StoreJournal(Path dir) {
    this.dir = dir;
  }

  /** Blocking: opens a new, empty file numbered {@code number} in {@code dir} (created if needed). */
  static StoreJournal open(Path dir, long number) {
    StoreJournal journal = new StoreJournal(dir);
    try {
      Files.createDirectories(dir);
      journal.channel = journal.create(number);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the store journal in " + dir.toAbsolutePath(), e);
    }
    journal.number = number;
    return journal;
  }

  static Path file(Path dir, long number) {
    return dir.resolve(String.format("%012d%s", number, SUFFIX));
  }

  /** The numbers of the journal files in {@code dir}, in order (none if there is no such directory). */
  static List<Long> numbers(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(SUFFIX) && n.length() > SUFFIX.length())
          .map(n -> n.substring(0, n.length() - SUFFIX.length())).filter(n -> n.chars().allMatch(Character::isDigit))
          .map(Long::parseLong).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the store journal in " + dir.toAbsolutePath(), e);
    }
  }

  private FileChannel create(long n) throws IOException {
    Files.deleteIfExists(file(dir, n)); // numbers only grow: none is there unless a start failed half way
    FileChannel created = FileChannel.open(file(dir, n), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND);
    try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
      directory.force(true); // the new name itself survives a crash
    } catch (IOException e) {
      // some file systems cannot open a directory; the file's own fsync still holds its records
    }
    return created;
  }

  /** Called on a change a document record cannot express (a collection or index dropped, renamed). */
  void onStructureChange(Runnable action) {
    this.onStructureChange = action;
  }

  void structureChanged() {
    onStructureChange.run();
  }

  /**
   * Appends a put of a document ({@code bson}, its encoding) under {@code key} in {@code namespace} ({@code db.collection}), then
   * runs {@code apply} (the map write), neither split by a rotation.
   */
  <T> T put(String namespace, Object key, byte[] bson, Supplier<T> apply) {
    return logged(encode(PUT, namespace, key, bson), apply);
  }

  /** Appends a removal of {@code key} in {@code namespace}, then runs {@code apply} (the map write). */
  <T> T remove(String namespace, Object key, Supplier<T> apply) {
    return logged(encode(REMOVE, namespace, key, null), apply);
  }

  private <T> T logged(ByteBuffer record, Supplier<T> apply) {
    gate.readLock().lock();
    try {
      write(record);
      return apply.get();
    } finally {
      gate.readLock().unlock();
    }
  }

  private void write(ByteBuffer record) {
    int length = record.remaining();
    try {
      FileChannel target = channel;
      while (record.hasRemaining()) {
        target.write(record); // APPEND: concurrent writes do not interleave
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to the store journal", e);
    }
    bytesInFile.addAndGet(length);
    records.incrementAndGet();
  }

  static ByteBuffer encode(byte op, String namespace, Object key, byte[] bson) {
    ByteBuf payload = Unpooled.buffer(64 + (bson == null ? 0 : bson.length));
    payload.writeByte(op);
    byte[] ns = namespace.getBytes(StandardCharsets.UTF_8);
    payload.writeShort(ns.length);
    payload.writeBytes(ns);
    BsonValueType.encode(key, payload);
    if (bson != null) {
      payload.writeBytes(bson);
    }
    CRC32C crc = new CRC32C();
    crc.update(payload.array(), payload.arrayOffset(), payload.readableBytes());
    ByteBuffer record = ByteBuffer.allocate(HEADER_BYTES + payload.readableBytes());
    record.putInt(payload.readableBytes()).putInt((int) crc.getValue());
    record.put(payload.array(), payload.arrayOffset(), payload.readableBytes());
    return record.flip();
  }

  /** Blocking: every record appended so far is on the disk once this returns. */
  void sync() {
    synchronized (fileLock) {
      Synced covering;
      try {
        // The file's size, not bytesInFile: concurrent appenders count their records only after writing
        // them, so the counter may lag what is in the file, and all of that is covered by the force.
        covering = new Synced(number, channel.size());
        channel.force(false);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot sync the store journal", e);
      }
      synced = covering;
      syncs.incrementAndGet();
    }
  }

  /** The directory of its files. */
  Path directory() {
    return dir;
  }

  /** Where the last sync reached. */
  Synced synced() {
    return synced;
  }

  /** Syncs since the journal was opened. */
  long syncs() {
    return syncs.get();
  }

  /**
   * Blocking: closes the current file (synced) and starts the next; returns the new file's number.
   * Every record in the files before it has been applied to the maps when this returns.
   */
  long rotate() {
    gate.writeLock().lock();
    try {
      synchronized (fileLock) {
        FileChannel old = channel;
        long next = number + 1;
        try {
          channel = create(next);
          old.force(false);
          old.close();
        } catch (IOException e) {
          throw new UncheckedIOException("cannot rotate the store journal", e);
        }
        number = next;
        bytesInFile.set(0);
        return next;
      }
    } finally {
      gate.writeLock().unlock();
    }
  }

  /** Blocking: deletes the files numbered below {@code number} (a checkpoint covers them). */
  void deleteBefore(long number) {
    deleteBefore(dir, number);
  }

  static void deleteBefore(Path dir, long number) {
    for (long n : numbers(dir)) {
      if (n < number) {
        try {
          Files.deleteIfExists(file(dir, n));
        } catch (IOException e) {
          throw new UncheckedIOException("cannot delete the store journal file " + file(dir, n), e);
        }
      }
    }
  }

  long bytesInFile() {
    return bytesInFile.get();
  }

  long recordsAppended() {
    return records.get();
  }

  @Override
  public void close() {
    synchronized (fileLock) {
      try {
        channel.force(false);
        channel.close();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot close the store journal", e);
      }
    }
  }
}
