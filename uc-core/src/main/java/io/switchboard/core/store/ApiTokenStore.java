package io.switchboard.core.store;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Personal API tokens, kept by the hash of their secret (never the secret itself). Failures are
 * {@link StoreException}s.
 */
public interface ApiTokenStore {

  /**
   * A token as stored.
   *
   * @param id the public name of the token, for listing and revoking (not a secret)
   * @param secretHash SHA-256 of the secret, hex
   * @param lastUsedAt when it last authenticated a request (to the minute), or null
   */
  record Token(String id, String secretHash, String username, String name, Instant createdAt, Instant lastUsedAt) {
  }

  Future<Void> create(Token token);

  Future<Optional<Token>> findBySecretHash(String secretHash);

  /** The user's tokens, oldest first. */
  Future<List<Token>> list(String username);

  /** Revokes the user's token {@code id}: true when it was there. */
  Future<Boolean> delete(String username, String id);

  Future<Void> touch(String id, Instant lastUsedAt);
}
