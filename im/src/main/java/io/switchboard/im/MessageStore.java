package io.switchboard.im;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;

/** Messages, durable from the moment they are accepted. */
public interface MessageStore {

  /** Completes once the message is durable. */
  Future<Void> insert(StoredMessage message);

  /**
   * A STORED (or claimed) message becomes DELIVERED at {@code deliveredAt}; a message in any other state is left
   * as it is, so that deliveredAt is written once. Addressed by id, so that every store can use its
   * primary index; callers order the writes for one message themselves.
   *
   * @return true when it was STORED and is now DELIVERED
   */
  Future<Boolean> markDelivered(String id, Instant deliveredAt);

  /** One more failed delivery attempt. */
  Future<Void> countAttempt(String id);

  /**
   * Claims a stored message for one delivery attempt, atomically in the store, so that of several
   * nodes that saw the same registration only one sends it: STORED (or claimed under a lease that
   * has lapsed) becomes claimed by {@code node} until {@code leaseUntil}. Readers still see it STORED.
   *
   * @return true when this caller got it; false when it is claimed by someone else, or no longer stored
   */
  Future<Boolean> claim(String id, String node, Instant now, Instant leaseUntil);

  /** A message claimed by {@code node} that its target did not take is STORED again, with one attempt more. */
  Future<Void> unclaim(String id, String node);

  /** STORED messages for a user (claimed ones included, so that the order holds across nodes), oldest first. */
  Future<List<StoredMessage>> storedFor(String username);

  /** STORED messages created before the cutoff become EXPIRED; returns them. */
  Future<List<StoredMessage>> expireBefore(Instant cutoff);

  /** The STORED messages of one conversation (a broadcast's copies) become EXPIRED; returns them. */
  Future<List<StoredMessage>> expireConversation(String conversation);

  /**
   * A page of one conversation, newest first, strictly before {@code before} (null: from the newest).
   *
   * @param copiesOf for rooms, whose messages are kept once per member: whose copies to read
   */
  Future<List<StoredMessage>> history(String conversation, String copiesOf, Instant before, int limit);

  /** The user's most recent messages, sent or received, newest first, for the conversation list. */
  Future<List<StoredMessage>> recentFor(String username, int limit);

  /** The messages the search's user can see that match it, newest first, at most its limit. */
  Future<List<StoredMessage>> search(MessageSearch search);

  /** One message by id. */
  Future<java.util.Optional<StoredMessage>> find(String id);

  /**
   * The message {@code to} received whose CPIM envelope carried {@code imdn.Message-ID: imdnId} (RFC 5438):
   * what an IMDN from that recipient refers to.
   */
  Future<java.util.Optional<StoredMessage>> findByImdnId(String to, String imdnId);

  /**
   * Records a disposition notification on the message: {@code receipts.<status>} (delivered, failed,
   * displayed, ...) at {@code at}, once; {@code displayed} also sets {@code displayedAt}.
   *
   * @return true when it was not recorded before
   */
  Future<Boolean> recordReceipt(String id, String status, Instant at);

  /** Every copy of the messages of {@code conversation} that carry the file {@code fileId}. */
  Future<List<StoredMessage>> withFile(String conversation, String fileId);
}
