package io.switchboard.core.account;

import io.switchboard.core.model.User;
import io.switchboard.core.store.PasswordLinkStore;
import io.switchboard.core.store.StoreException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One-time set-password links, for users imported without a web password (or who forgot theirs): an
 * administrator has one issued; its holder chooses a password once, before it expires. The token is
 * 256 random bits from {@link SecureRandom}, handed out once and stored only as its SHA-256 (a
 * random token needs no slow hash); a new link replaces the user's earlier ones. Never logged.
 */
public final class PasswordLinks {

  private static final Logger LOG = LoggerFactory.getLogger(PasswordLinks.class);
  /** How long a link can be used: long enough to reach someone by mail over a weekend. */
  public static final Duration VALID_FOR = Duration.ofHours(72);
  private static final int TOKEN_BYTES = 32;

  /** A link just issued: the token goes into the URL given to the user, and nowhere else. */
  public record Issued(String username, String token, Instant expiresAt) {
    @Override
    public String toString() {
      return "Issued[" + username + ", expires " + expiresAt + "]";
    }
  }

  /** What a token stands for now. */
  public enum State {
    /** Usable: a password may be set through it. */
    VALID,
    /** No such link (never issued, or replaced by a newer one): 404. */
    UNKNOWN,
    /** Used already, or expired: 410. */
    GONE
  }

  /** A token's state, and whose it is when known. */
  public record Check(State state, String username, Instant expiresAt) {
    public JsonObject toJson() {
      return new JsonObject().put("username", username).put("expiresAt", expiresAt.toString());
    }
  }

  private final SecureRandom random = new SecureRandom();
  private final UserAccounts accounts;
  private final PasswordLinkStore links;
  private final Clock clock;

  public PasswordLinks(UserAccounts accounts, PasswordLinkStore links, Clock clock) {
    this.accounts = accounts;
    this.links = links;
    this.clock = clock;
  }

  /** A new link for an existing user; fails with NOT_FOUND for an unknown one. */
  public Future<Issued> issue(String username) {
    return accounts.store().find(username).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(StoreException.notFound("no user " + username));
      }
      byte[] b = new byte[TOKEN_BYTES];
      random.nextBytes(b);
      String token = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
      Instant now = clock.instant();
      Instant expires = now.plus(VALID_FOR).truncatedTo(ChronoUnit.SECONDS);
      return links.create(new PasswordLinkStore.Link(hash(token), username, expires, false), now)
          .map(v -> new Issued(username, token, expires))
          .onSuccess(i -> LOG.info("Set-password link issued [user: {}, expires: {}]", username, expires));
    });
  }

  /** The token's state, without using it. */
  public Future<Check> check(String token) {
    return links.find(hash(token)).map(this::state);
  }

  /**
   * Sets the password through the link, once: the link is taken atomically first, so two holders racing
   * cannot both set one. Answers the state the token was in; VALID means the password is now set.
   */
  public Future<Check> redeem(String token, String password) {
    String h = hash(token);
    return links.find(h).map(this::state).compose(check -> {
      if (check.state() != State.VALID) {
        return Future.succeededFuture(check);
      }
      return links.use(h).compose(took -> {
        if (!took) {
          return Future.succeededFuture(new Check(State.GONE, check.username(), check.expiresAt()));
        }
        UserRequests.Patch patch = new UserRequests.Patch(Optional.empty(), Optional.empty(), Optional.of(password),
            Optional.empty(), Optional.empty(), Optional.empty());
        Future<User> changed = accounts.update(check.username(), patch);
        return changed.map(u -> {
          LOG.info("Password set through a link [user: {}]", u.username());
          return check;
        }).recover(e -> links.release(h).transform(x -> Future.failedFuture(e))); // not set: usable again
      });
    });
  }

  private Check state(Optional<PasswordLinkStore.Link> found) {
    if (found.isEmpty()) {
      return new Check(State.UNKNOWN, null, null);
    }
    PasswordLinkStore.Link l = found.get();
    boolean gone = l.used() || !clock.instant().isBefore(l.expiresAt());
    return new Check(gone ? State.GONE : State.VALID, l.username(), l.expiresAt());
  }

  static String hash(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
