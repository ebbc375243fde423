package io.switchboard.im;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;

/** Messages, durable from the moment they are accepted. */
public interface MessageStore {

  /** Completes once the message is durable. */
  Future<Void> insert(StoredMessage message);

  /** PENDING to STORED (a late delivery may already have made it DELIVERED: then nothing changes). */
  Future<Void> markStored(String id);

  /** Any state but DELIVERED to DELIVERED; completes with true when this call changed it. */
  Future<Boolean> markDelivered(String id, Instant at);

  /** One more failed delivery attempt. */
  Future<Void> countAttempt(String id);

  /** STORED messages for a user, oldest first. */
  Future<List<StoredMessage>> storedFor(String username);

  /** After a restart nothing is in flight: PENDING becomes STORED. Returns how many. */
  Future<Long> recoverPending();

  /** STORED messages created before the cutoff become EXPIRED; returns them. */
  Future<List<StoredMessage>> expireBefore(Instant cutoff);

  /** A page of one conversation, newest first, strictly before {@code before} (null: from the newest). */
  Future<List<StoredMessage>> history(String conversation, Instant before, int limit);

  /** The user's most recent messages, sent or received, newest first, for the conversation list. */
  Future<List<StoredMessage>> recentFor(String username, int limit);
}
