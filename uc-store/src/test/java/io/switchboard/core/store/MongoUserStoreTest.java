package io.switchboard.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.model.Role;
import io.switchboard.core.model.User;
import io.switchboard.core.model.UserChanges;
import io.switchboard.core.security.Digest;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** The user store on the real embedded MongoDB (mongo-java-server + H2 file), one fresh data dir per test. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class MongoUserStoreTest {

  private static final String REALM = "switchboard.test";
  // Millisecond precision: the store keeps dates as BSON dates, so instants round-trip exactly.
  private static final Instant CREATED = Instant.parse("2020-01-02T03:04:05.678Z");
  private static final String PASSWORD_HASH = "pbkdf2-sha512$210000$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNo";

  private Vertx vertx;
  private SwitchboardConfig.Store config;
  private MongoStore store;
  private MongoUserStore users;

  @BeforeEach
  void open(Vertx vertx, @TempDir Path dir) throws Exception {
    this.vertx = vertx;
    this.config = TestConfigs.loopback(dir, FreePorts.udpAndTcp(), 0, Map.of()).store();
    openStore();
  }

  private void openStore() {
    vertx.executeBlocking(() -> {
      store = MongoStore.open(config);
      users = new MongoUserStore(vertx, store);
      users.createIndexes();
      return null;
    }).await();
  }

  private void closeStore() {
    if (store != null) {
      MongoStore s = store;
      store = null;
      vertx.executeBlocking(() -> {
        s.close();
        return null;
      }).await();
    }
  }

  @AfterEach
  void close() {
    closeStore();
  }

  private static User user(String username, String extension) {
    return new User(username, "Display " + username, extension, Role.USER, true, PASSWORD_HASH,
        Digest.ha1s(username, REALM, username + "-sip-secret"), CREATED, CREATED);
  }

  private static StoreException storeFailure(Executable call) {
    return assertThrows(StoreException.class, call);
  }

  private static UserChanges changes(Optional<String> displayName, Optional<Optional<String>> extension,
      Optional<Role> role, Optional<Boolean> enabled) {
    return new UserChanges(displayName, extension, role, enabled, Optional.empty(), Optional.empty());
  }

  @Test
  void createdUserIsFoundByUsernameAndByExtension() {
    User alice = user("alice", "1001");
    users.create(alice).await();

    assertEquals(Optional.of(alice), users.find("alice").await(), "every field round-trips, hashes included");
    assertEquals("alice", users.findByUsernameOrExtension("alice").await().orElseThrow().username());
    assertEquals("alice", users.findByUsernameOrExtension("1001").await().orElseThrow().username());
    assertEquals(Optional.empty(), users.find("1001").await(), "find is by username only");
    assertEquals(Optional.empty(), users.find("bob").await());
    assertEquals(Optional.empty(), users.findByUsernameOrExtension("1002").await());
  }

  @Test
  void createAllWritesABatchOrNothing() {
    users.create(user("alice", "1001")).await();
    users.createAll(List.of(user("bob", "1002"), user("carol", "1003"))).await();
    assertEquals(List.of("alice", "bob", "carol"), users.list().await().stream().map(User::username).toList());

    // The third of four takes alice's extension: the two before it are removed again, the last never written.
    StoreException e = storeFailure(() -> users.createAll(List.of(user("dave", "1004"), user("erin", "1005"),
        user("frank", "1001"), user("gina", "1007"))).await());
    assertEquals(StoreException.Kind.CONFLICT, e.kind());
    assertEquals("extension", e.field());
    assertEquals(List.of("alice", "bob", "carol"), users.list().await().stream().map(User::username).toList());
    users.createAll(List.of()).await();
  }

  @Test
  void usernameWinsOverAnotherUsersExtension() {
    // sip:1001@domain names the user called "1001" if there is one, before anyone's extension 1001.
    users.create(user("alice", "1001")).await();
    users.create(user("1001", "2000")).await();
    assertEquals("1001", users.findByUsernameOrExtension("1001").await().orElseThrow().username());
  }

  @Test
  void duplicateUsernameIsAConflictOnUsername() {
    users.create(user("alice", "1001")).await();
    StoreException e = storeFailure(() -> users.create(user("alice", "1002")).await());
    assertEquals(StoreException.Kind.CONFLICT, e.kind());
    assertEquals("username", e.field());
    assertEquals("1001", users.find("alice").await().orElseThrow().extension(), "the first one is untouched");
  }

  @Test
  void duplicateExtensionIsAConflictOnExtension() {
    users.create(user("alice", "1001")).await();
    StoreException e = storeFailure(() -> users.create(user("bob", "1001")).await());
    assertEquals(StoreException.Kind.CONFLICT, e.kind());
    assertEquals("extension", e.field());
    assertEquals(Optional.empty(), users.find("bob").await());
  }

  @Test
  void duplicateUsernameThatMentionsExtensionIsStillAUsernameConflict() {
    // The conflicting field must come from the index, not from a word that happens to be in the value.
    users.create(user("extension-admin", "1001")).await();
    StoreException e = storeFailure(() -> users.create(user("extension-admin", "1002")).await());
    assertEquals(StoreException.Kind.CONFLICT, e.kind());
    assertEquals("username", e.field());
  }

  @Test
  void usersWithoutExtensionDoNotCollide() {
    // Sparse unique index: a missing extension is not a value.
    users.create(user("admin", null)).await();
    users.create(user("auditor", null)).await();
    assertNull(users.find("admin").await().orElseThrow().extension());
    assertEquals(2, users.list().await().size());
  }

  @Test
  void updateChangesOnlyTheGivenFieldsAndBumpsUpdatedAt() {
    users.create(user("alice", "1001")).await();
    Instant before = Instant.now();

    User updated = users.update("alice",
        changes(Optional.of("Alice Liddell"), Optional.of(Optional.of("1005")), Optional.of(Role.ADMIN),
            Optional.of(false))).await();

    assertEquals("Alice Liddell", updated.displayName());
    assertEquals("1005", updated.extension());
    assertEquals(Role.ADMIN, updated.role());
    assertFalse(updated.enabled());
    assertEquals(PASSWORD_HASH, updated.passwordHash(), "secrets not in the change stay");
    assertEquals(user("alice", "1001").sipHa1(), updated.sipHa1());
    assertEquals(CREATED, updated.createdAt());
    assertFalse(updated.updatedAt().isBefore(before.minusSeconds(1)), updated.updatedAt() + " vs " + before);
    assertTrue(updated.updatedAt().isAfter(CREATED));
    assertEquals(Optional.of(updated), users.find("alice").await(), "what update returns is what is stored");
    assertEquals("alice", users.findByUsernameOrExtension("1005").await().orElseThrow().username());
    assertEquals(Optional.empty(), users.findByUsernameOrExtension("1001").await(), "old extension freed");
  }

  @Test
  void updateCanRemoveTheExtensionAndReplaceSecrets() {
    users.create(user("alice", "1001")).await();
    Map<String, String> newHa1 = Digest.ha1s("alice", REALM, "new-sip-secret");
    User updated = users.update("alice", new UserChanges(Optional.empty(), Optional.of(Optional.empty()),
        Optional.empty(), Optional.empty(), Optional.of("pbkdf2-sha512$1$bmV3$bmV3"), Optional.of(newHa1))).await();
    assertNull(updated.extension());
    assertEquals("pbkdf2-sha512$1$bmV3$bmV3", updated.passwordHash());
    assertEquals(newHa1, updated.sipHa1());
    // and the freed extension can be taken by someone else (unset, not null, under the sparse index)
    users.create(user("bob", "1001")).await();
    users.create(user("carol", null)).await();
  }

  @Test
  void updateToATakenExtensionIsAConflictOnExtension() {
    // UserStore.update documents CONFLICT for a taken extension (HTTP 409), not an outage.
    users.create(user("alice", "1001")).await();
    users.create(user("bob", "1002")).await();
    StoreException e = storeFailure(() -> users.update("bob",
        changes(Optional.empty(), Optional.of(Optional.of("1001")), Optional.empty(), Optional.empty())).await());
    assertEquals(StoreException.Kind.CONFLICT, e.kind());
    assertEquals("extension", e.field());
    assertEquals("1002", users.find("bob").await().orElseThrow().extension());
  }

  @Test
  void updateOfUnknownUserIsNotFound() {
    StoreException e = storeFailure(() -> users.update("nobody",
        changes(Optional.of("X"), Optional.empty(), Optional.empty(), Optional.empty())).await());
    assertEquals(StoreException.Kind.NOT_FOUND, e.kind());
    assertEquals(Optional.empty(), users.find("nobody").await(), "no upsert");
  }

  @Test
  void deleteRemovesTheUserAndUnknownIsNotFound() {
    users.create(user("alice", "1001")).await();
    users.create(user("bob", "1002")).await();
    users.delete("alice").await();
    assertEquals(Optional.empty(), users.find("alice").await());
    assertEquals(Optional.empty(), users.findByUsernameOrExtension("1001").await());
    assertTrue(users.find("bob").await().isPresent(), "only the one named");

    assertEquals(StoreException.Kind.NOT_FOUND, storeFailure(() -> users.delete("alice").await()).kind());
    assertEquals(StoreException.Kind.NOT_FOUND, storeFailure(() -> users.delete("nobody").await()).kind());
  }

  @Test
  void listIsSortedByUsername() {
    assertEquals(List.of(), users.list().await());
    for (String name : List.of("carol", "alice", "dave", "bob")) {
      users.create(user(name, null)).await();
    }
    assertEquals(List.of("alice", "bob", "carol", "dave"), users.list().await().stream().map(User::username).toList());
  }

  @Test
  void dataSurvivesARestartOfTheStore() {
    User alice = user("alice", "1001");
    users.create(alice).await();
    users.create(user("bob", "1002")).await();
    users.delete("bob").await();

    closeStore();
    openStore(); // same data.dir, new embedded server and client

    assertEquals(Optional.of(alice), users.find("alice").await(), "hashes and dates intact");
    assertEquals(Optional.empty(), users.find("bob").await(), "deletes are durable too");
    // the unique indexes came back with the data
    assertEquals("username", storeFailure(() -> users.create(user("alice", "1009")).await()).field());
    assertEquals("extension", storeFailure(() -> users.create(user("erin", "1001")).await()).field());
  }

  @Test
  void publicJsonNeverCarriesSecrets() {
    users.create(user("alice", "1001")).await();
    User stored = users.find("alice").await().orElseThrow();
    JsonObject json = stored.toJson();
    String text = json.encode();

    assertFalse(json.containsKey("passwordHash"), text);
    assertFalse(json.containsKey("sipHa1"), text);
    assertFalse(text.contains(PASSWORD_HASH), text);
    for (String ha1 : stored.sipHa1().values()) {
      assertFalse(text.contains(ha1), text);
      assertFalse(stored.toString().contains(ha1), "nor in logs");
    }
    assertFalse(stored.toString().contains(PASSWORD_HASH));
    // what it does say
    assertEquals("alice", json.getString("username"));
    assertEquals("1001", json.getString("extension"));
    assertTrue(json.getBoolean("hasSipAccount"));
  }
}
