package io.switchboard.core.files;

import io.vertx.core.Future;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Files sent in chats, with their bytes, in the store (GridFS on MongoDB, {@code GridFsFileStore}). Every
 * call is asynchronous; the implementation does its blocking work off the event loops.
 */
public interface FileStore {

  /**
   * Stores the upload at {@code upload} (a temporary file) under a new random id and token, its type
   * checked against its first bytes. Completes once the file is durable.
   */
  Future<StoredFile> save(Path upload, String name, String claimedType, String owner);

  /** The file's description, if there is such a file. */
  Future<Optional<StoredFile>> find(String id);

  /** The file's bytes, to read chunk by chunk (fails NOT_FOUND when it is gone). */
  Future<FileContent> open(String id);

  /** Records where the file was sent and who may fetch it. */
  Future<Void> share(String id, String conversation, List<String> participants);

  Future<Void> delete(String id);

  /** Deletes every file {@code owner} uploaded; returns how many. */
  Future<Integer> deleteOwnedBy(String owner);

  /** Files uploaded before {@code cutoff}, oldest first, at most {@code limit}. */
  Future<List<StoredFile>> createdBefore(Instant cutoff, int limit);
}
