package io.switchboard.core.account;

import io.switchboard.api.EventAddresses;
import io.switchboard.api.UserEvent;
import io.switchboard.core.exec.TaskPool;
import io.switchboard.core.model.Role;
import io.switchboard.core.model.User;
import io.switchboard.core.model.UserChanges;
import io.switchboard.core.security.Digest;
import io.switchboard.core.security.PasswordHasher;
import io.switchboard.core.store.UserStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Account operations on top of the {@link UserStore}: hashing secrets (slow, on the {@code hashing}
 * pool), and
 * announcing every change on {@link EventAddresses#USER_CHANGED} so that the registrar can revoke
 * bindings of disabled or deleted users.
 */
public final class UserAccounts {

  private static final Logger LOG = LoggerFactory.getLogger(UserAccounts.class);
  public static final String ADMIN = "admin";

  private final Vertx vertx;
  private final UserStore users;
  private final PasswordHasher hasher = new PasswordHasher();
  private final String realm;
  /** Where hashing runs; null means Vert.x's shared worker pool (tests that build no pools). */
  private final TaskPool hashing;
  private final AtomicLong passwordChecks = new AtomicLong();
  /**
   * Verified against when the username is unknown, so that both cases take the same time. Made on
   * first use, on a worker: hashing is deliberately slow and the constructor runs on an event loop.
   */
  private volatile String dummyHash;

  /** Hashing on Vert.x's shared worker pool. */
  public UserAccounts(Vertx vertx, UserStore users, String realm) {
    this(vertx, users, realm, null);
  }

  /** @param hashing the pool that hashes and checks passwords (TaskPools#hashing) */
  public UserAccounts(Vertx vertx, UserStore users, String realm, TaskPool hashing) {
    this.vertx = vertx;
    this.users = users;
    this.realm = realm;
    this.hashing = hashing;
  }

  /** How many password checks (PBKDF2 derivations against a stored hash) have run: a measure for throttling. */
  public long passwordChecks() {
    return passwordChecks.get();
  }

  private <T> Future<T> hashing(Callable<T> work) {
    return hashing == null ? vertx.executeBlocking(work, false) : hashing.submit(work);
  }

  /** Blocking: the hashing pool only. */
  private String dummyHash() {
    String h = dummyHash;
    if (h == null) {
      h = hasher.hash("dummy-password-for-timing");
      dummyHash = h;
    }
    return h;
  }

  public UserStore store() {
    return users;
  }

  /** Hashes, stores and announces a checked creation request. */
  public Future<User> create(UserRequests.Create c) {
    return prepare(c).compose(this::insert);
  }

  /**
   * The user a creation request makes, secrets hashed (slow on purpose, on the hashing pool), not yet
   * stored: for callers that check a whole batch before writing any of it (the CSV import).
   */
  public Future<User> prepare(UserRequests.Create c) {
    return c.password() == null ? Future.succeededFuture(prepared(c, null)) : hashing(() -> prepared(c, hasher.hash(c.password())));
  }

  /** Without a web password ({@code passwordHash} null) no password logs in until one is set. */
  private User prepared(UserRequests.Create c, String passwordHash) {
    Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    return new User(c.username(), c.displayName(), c.extension(), c.role(), c.enabled(), passwordHash,
        c.sipPassword() == null ? null : Digest.ha1s(c.username(), realm, c.sipPassword()), now, now);
  }

  /**
   * {@link #prepare} for a batch, in its order: the web passwords are hashed in parallel, but never more
   * at once than the hashing pool has threads, so that logins queue behind at most that many hashes.
   * Fails with the first failure (an {@code OverloadedException} when logins fill the pool's queue).
   */
  public Future<List<User>> prepareAll(List<UserRequests.Create> creates) {
    // Users without a web password cost only their SIP HA1 digests: all of them in one task on the pool,
    // not thousands of digests in one go on the caller's event loop, which SIP shares.
    return hashing(() -> {
      Map<UserRequests.Create, User> cheap = new IdentityHashMap<>();
      creates.stream().filter(c -> c.password() == null).forEach(c -> cheap.put(c, prepared(c, null)));
      return cheap;
    }).compose(cheap -> Bounded.map(creates, hashing == null ? 1 : hashing.threads(), c -> {
      User ready = cheap.get(c);
      return ready != null ? Future.succeededFuture(ready) : prepare(c);
    }));
  }

  /** Stores {@link #prepareAll prepared} users in one batch (all or none), then announces each. */
  public Future<Void> insertAll(List<User> prepared) {
    return users.createAll(prepared).onSuccess(v -> prepared.forEach(u -> publish(u, UserEvent.Change.CREATED)));
  }

  /** Stores a {@link #prepare prepared} user and announces it on {@link EventAddresses#USER_CHANGED}. */
  public Future<User> insert(User prepared) {
    return users.create(prepared).onSuccess(u -> publish(u, UserEvent.Change.CREATED));
  }

  public Future<User> update(String username, UserRequests.Patch p) {
    return hashing(() -> new UserChanges(p.displayName(), p.extension(), p.role(), p.enabled(),
        p.password().map(hasher::hash), p.sipPassword().map(s -> Digest.ha1s(username, realm, s))))
        .compose(changes -> users.update(username, changes))
        .onSuccess(u -> publish(u, UserEvent.Change.UPDATED));
  }

  public Future<Void> delete(String username) {
    return users.delete(username).onSuccess(v -> vertx.eventBus().publish(EventAddresses.USER_CHANGED,
        new UserEvent(username, UserEvent.Change.DELETED, false).toJson()));
  }

  /** The user when the password is right and the account enabled; empty otherwise. */
  public Future<Optional<User>> verify(String username, String password) {
    return users.find(username).compose(found -> hashing(() -> {
      passwordChecks.incrementAndGet();
      // No user, or one without a web password yet (imported): the same work, and never a match.
      String stored = found.map(User::passwordHash).orElse(null);
      boolean ok = hasher.verify(password, stored != null ? stored : dummyHash()) && stored != null;
      return found.filter(u -> ok && u.enabled());
    }));
  }

  /**
   * Creates the built-in admin account on first start. Returns the generated password when none
   * was configured, so that the caller prints it once; empty when the account already existed.
   */
  public Future<Optional<String>> ensureAdmin(Optional<String> configured) {
    return users.find(ADMIN).compose(existing -> {
      if (existing.isPresent()) {
        return Future.succeededFuture(Optional.<String>empty());
      }
      String password = configured.orElseGet(UserAccounts::randomPassword);
      UserRequests.Create c = new UserRequests.Create(ADMIN, "Administrator", null, password, null, Role.ADMIN, true);
      return create(c).map(u -> {
        LOG.info("Created the built-in admin account");
        return configured.isPresent() ? Optional.<String>empty() : Optional.of(password);
      });
    });
  }

  private static String randomPassword() {
    byte[] b = new byte[12];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private void publish(User u, UserEvent.Change change) {
    vertx.eventBus().publish(EventAddresses.USER_CHANGED, new UserEvent(u.username(), change, u.enabled()).toJson());
  }
}
