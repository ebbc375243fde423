package io.switchboard.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.ConnectionString;
import com.mongodb.MongoCommandException;
import com.mongodb.MongoSecurityException;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Filters;
import io.switchboard.api.EventAddresses;
import io.switchboard.core.config.ConfigLoader;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.security.SecurityLog;
import io.switchboard.core.sip.SourceRanges;
import io.switchboard.core.testing.FreePorts;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * store.serve-port: another node's MongoDB driver reads and writes the embedded store through the
 * port with the cluster's credentials (SCRAM-SHA-256), as through a mongo.uri; a wrong password fails
 * with the driver's authentication error and a security event, no credentials get "requires
 * authentication", and neither ever reaches the store; sources other than loopback, the members and
 * store.serve-clients are not admitted.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ServedStoreTest {

  private static final String SECRET = "served-store-test-secret-0123";

  @TempDir
  Path dir;

  private final Vertx vertx = Vertx.vertx();
  private MongoStore store;

  @AfterEach
  void close() throws Exception {
    if (store != null) {
      store.close();
    }
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** The embedded store served on a free port with {@link #SECRET}; returns the port. */
  private SwitchboardConfig serve(int port) {
    SwitchboardConfig config = ConfigLoader.load(null, Map.of(ConfigLoader.envName("data.dir"), dir.toString(),
        "SWITCHBOARD_STORE_SERVE_PORT", String.valueOf(port), "SWITCHBOARD_CLUSTER_SECRET", SECRET));
    store = MongoStore.open(config.store());
    return config;
  }

  private ServedStore start(SwitchboardConfig config) throws Exception {
    return ServedStore.start(vertx, config.store(), config.cluster(), store, new SecurityLog(vertx, Clock.systemUTC()))
        .await(30, TimeUnit.SECONDS);
  }

  /** A driver as another node's: the given mongo.uri, failing fast. */
  private static MongoClient client(String uri) {
    return MongoClients.create(MongoClientSettings.builder().applyConnectionString(new ConnectionString(uri))
        .applyToClusterSettings(b -> b.serverSelectionTimeout(20, TimeUnit.SECONDS)).build());
  }

  @Test
  void anotherNodesDriverWithTheClusterSecretReadsAndWritesThroughThePort() throws Exception {
    int port = FreePorts.udpAndTcp();
    SwitchboardConfig config = serve(port);
    ServedStore served = start(config);
    assertEquals(port, served.port());
    store.database().getCollection("users").insertOne(new Document("_id", "alice").append("written", "by the node"));

    // As the README tells operators to write it, and with the mechanism named (no negotiation).
    for (String uri : List.of("mongodb://switchboard:" + SECRET + "@127.0.0.1:" + port + "/?authSource=admin",
        "mongodb://switchboard:" + SECRET + "@127.0.0.1:" + port + "/?authSource=admin&authMechanism=SCRAM-SHA-256")) {
      try (MongoClient other = client(uri)) {
        var users = other.getDatabase(config.store().database()).getCollection("users");
        assertEquals("by the node", users.find(Filters.eq("_id", "alice")).first().getString("written"));
        users.replaceOne(Filters.eq("_id", "bob"), new Document("_id", "bob").append("written", "by another node"),
            new com.mongodb.client.model.ReplaceOptions().upsert(true));
        // Many commands after the handshake: the relay no longer reads them.
        for (int i = 0; i < 50; i++) {
          users.insertOne(new Document("_id", "bulk-" + i + "-" + uri.length()).append("n", i));
        }
        assertEquals(50, users.countDocuments(Filters.regex("_id", "^bulk-.*-" + uri.length() + "$")));
      }
    }
    Document bob = store.database().getCollection("users").find(Filters.eq("_id", "bob")).first();
    assertNotNull(bob, "the write through the port is in the node's own store");
    assertEquals("by another node", bob.getString("written"));
    served.stop().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aWrongPasswordFailsAuthenticationIsASecurityEventAndReachesNothing() throws Exception {
    int port = FreePorts.udpAndTcp();
    SwitchboardConfig config = serve(port);
    BlockingQueue<JsonObject> events = new LinkedBlockingQueue<>();
    vertx.eventBus().<JsonObject>consumer(EventAddresses.SECURITY_EVENT, m -> events.add(m.body()))
        .completion().await(10, TimeUnit.SECONDS);
    start(config);

    try (MongoClient other = client("mongodb://switchboard:not-the-cluster-secret@127.0.0.1:" + port + "/?authSource=admin")) {
      var users = other.getDatabase(config.store().database()).getCollection("users");
      MongoSecurityException e = assertThrows(MongoSecurityException.class,
          () -> users.insertOne(new Document("_id", "mallory").append("written", "with a wrong password")));
      assertTrue(e.getCause() instanceof MongoCommandException, String.valueOf(e.getCause()));
      assertEquals(18, ((MongoCommandException) e.getCause()).getErrorCode(), e.getCause().getMessage());
    }
    JsonObject event = events.poll(30, TimeUnit.SECONDS);
    assertNotNull(event, "a failed authentication is a security event");
    assertEquals("LOGIN_FAILED", event.getString("kind"));
    assertEquals("127.0.0.1", event.getString("source"));
    assertTrue(event.getString("detail").contains("store.serve-port"), event.encode());
    assertFalse(event.encode().contains(SECRET), "no secret in the event");
    assertEquals(0, store.database().getCollection("users").countDocuments(Filters.eq("_id", "mallory")),
        "the write never reached the store");
  }

  @Test
  void withoutCredentialsEveryCommandRequiresAuthenticationAndNoneReachesTheStore() throws Exception {
    int port = FreePorts.udpAndTcp();
    SwitchboardConfig config = serve(port);
    start(config);
    store.database().getCollection("users").insertOne(new Document("_id", "alice"));

    try (MongoClient other = client("mongodb://127.0.0.1:" + port)) {
      var users = other.getDatabase(config.store().database()).getCollection("users");
      MongoCommandException find = assertThrows(MongoCommandException.class, () -> users.find().first());
      assertEquals(13, find.getErrorCode(), find.getMessage());
      assertTrue(find.getErrorMessage().contains("command find requires authentication"), find.getErrorMessage());
      MongoCommandException insert = assertThrows(MongoCommandException.class,
          () -> users.insertOne(new Document("_id", "eve")));
      assertEquals(13, insert.getErrorCode(), insert.getMessage());
      MongoCommandException drop = assertThrows(MongoCommandException.class, users::drop);
      assertEquals(13, drop.getErrorCode(), drop.getMessage());
    }
    var users = store.database().getCollection("users");
    assertEquals(0, users.countDocuments(Filters.eq("_id", "eve")), "the insert never reached the store");
    assertEquals(1, users.countDocuments(Filters.eq("_id", "alice")), "nor did the drop");
  }

  @Test
  void servingWithoutTheClusterSecretStopsStartUpNamingIt() throws Exception {
    SwitchboardConfig.Store config = ConfigLoader.load(null, Map.of(ConfigLoader.envName("data.dir"), dir.toString())).store();
    store = MongoStore.open(config);
    SwitchboardConfig.Cluster noSecret = ConfigLoader.load(null, Map.of()).cluster();
    Exception e = assertThrows(Exception.class, () -> ServedStore.start(vertx, config, noSecret, store,
        new SecurityLog(vertx, Clock.systemUTC())).await(30, TimeUnit.SECONDS));
    assertTrue(e.getMessage().contains("cluster.secret"), e.getMessage());
  }

  @Test
  void onlyLoopbackMembersAndListedClientsAreAdmitted() {
    SwitchboardConfig.Store config = ConfigLoader.load(null, Map.of(
        ConfigLoader.envName("store.serve-clients"), "192.168.5.0/24")).store();
    SourceRanges admitted = new SourceRanges(ServedStore.allowedSources(config, List.of("10.0.0.2")));
    ServedStore served = new ServedStore(vertx, admitted, null, null, null);
    assertTrue(served.admits("127.0.0.1"));
    assertTrue(served.admits("::1"));
    assertTrue(served.admits("10.0.0.2"), "a cluster member");
    assertTrue(served.admits("192.168.5.7"), "in store.serve-clients");
    assertFalse(served.admits("10.0.0.9"));
    assertFalse(served.admits("203.0.113.5"));
  }

  @Test
  void aPortTakenStopsStartUpNamingTheKey() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      SwitchboardConfig config = serve(taken.getLocalPort());
      Exception e = assertThrows(Exception.class, () -> start(config));
      assertTrue(e.getMessage().contains("store.serve-port"), e.getMessage());
    }
  }
}
