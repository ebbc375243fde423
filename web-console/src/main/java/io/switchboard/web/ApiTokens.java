package io.switchboard.web;

import io.switchboard.core.model.User;
import io.switchboard.core.store.ApiTokenStore;
import io.switchboard.core.store.UserStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Personal API tokens for scripts: {@code Authorization: Bearer <secret>} acts as the token's user,
 * with that user's own rights, as long as the account exists and is enabled. The secret is 256
 * random bits, shown once and stored only as its SHA-256 (a random secret needs no slow hash). A
 * token outlives neither its revocation (no cache: every request asks the store) nor its account:
 * a user deleted and created again under the same name does not inherit the old tokens.
 */
final class ApiTokens {

  /** Secrets start with this, so that scanners and people can tell what leaked. */
  static final String PREFIX = "sbt_";
  /** The last-used time is written at most this often per token, not on every request. */
  static final Duration TOUCH_EVERY = Duration.ofMinutes(1);
  private static final int SECRET_BYTES = 32;

  /** A token just created: the secret is in the answer to its creator, and nowhere else. */
  record Issued(ApiTokenStore.Token token, String secret) {
    @Override
    public String toString() {
      return "Issued[" + token.id() + ", " + token.username() + "]";
    }
  }

  private final SecureRandom random = new SecureRandom();
  private final ApiTokenStore tokens;
  private final UserStore users;
  private final Clock clock;

  ApiTokens(ApiTokenStore tokens, UserStore users, Clock clock) {
    this.tokens = tokens;
    this.users = users;
    this.clock = clock;
  }

  Future<Issued> create(User user, String name) {
    String secret = PREFIX + randomText(SECRET_BYTES);
    ApiTokenStore.Token token = new ApiTokenStore.Token(randomText(9), hash(secret), user.username(), name,
        clock.instant(), null);
    return tokens.create(token).map(v -> new Issued(token, secret));
  }

  Future<List<ApiTokenStore.Token>> list(User user) {
    return tokens.list(user.username());
  }

  Future<Boolean> revoke(User user, String id) {
    return tokens.delete(user.username(), id);
  }

  /** The enabled user the secret stands for, or empty (unknown or revoked token, account gone or disabled). */
  Future<Optional<User>> authenticate(String secret) {
    if (secret == null || !secret.startsWith(PREFIX) || secret.length() > 100) {
      return Future.succeededFuture(Optional.empty());
    }
    return tokens.findBySecretHash(hash(secret)).compose(found -> {
      if (found.isEmpty()) {
        return Future.succeededFuture(Optional.<User>empty());
      }
      ApiTokenStore.Token token = found.get();
      return users.find(token.username()).compose(user -> {
        Optional<User> valid = user.filter(User::enabled)
            // An account made after the token is another person's.
            .filter(u -> u.createdAt() == null || !u.createdAt().isAfter(token.createdAt()));
        return valid.isEmpty() ? Future.succeededFuture(valid) : touch(token).map(valid);
      });
    });
  }

  /** Notes the use, at most once a minute; a failure to note it refuses nothing. */
  private Future<Void> touch(ApiTokenStore.Token token) {
    Instant now = clock.instant();
    if (token.lastUsedAt() != null && token.lastUsedAt().plus(TOUCH_EVERY).isAfter(now)) {
      return Future.succeededFuture();
    }
    return tokens.touch(token.id(), now).recover(e -> Future.succeededFuture());
  }

  /** The listing's view of a token: never the secret or its hash. */
  static JsonObject toJson(ApiTokenStore.Token token) {
    return new JsonObject().put("id", token.id()).put("name", token.name())
        .put("createdAt", token.createdAt().toString())
        .put("lastUsedAt", token.lastUsedAt() == null ? null : token.lastUsedAt().toString());
  }

  private String randomText(int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  static String hash(String secret) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java", e);
    }
  }
}
