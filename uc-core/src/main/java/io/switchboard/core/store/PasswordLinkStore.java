package io.switchboard.core.store;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.Optional;

/**
 * One-time set-password links, kept by the hash of their token (never the token itself). Failures
 * are {@link StoreException}s.
 */
public interface PasswordLinkStore {

  /**
   * A link as stored.
   *
   * @param tokenHash SHA-256 of the token, hex
   * @param used true once a password was set through it
   */
  record Link(String tokenHash, String username, Instant expiresAt, boolean used) {
  }

  /** Stores a new link for its user, replacing the user's earlier ones and forgetting expired ones. */
  Future<Void> create(Link link, Instant now);

  Future<Optional<Link>> find(String tokenHash);

  /** Marks the link used, atomically: true when this call did, false when it was used already (or is gone). */
  Future<Boolean> use(String tokenHash);

  /** Makes a used link usable again (the password could not be set after all). */
  Future<Void> release(String tokenHash);
}
