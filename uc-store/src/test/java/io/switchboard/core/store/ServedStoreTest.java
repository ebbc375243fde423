package io.switchboard.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Filters;
import io.switchboard.core.config.ConfigLoader;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.security.SecurityLog;
import io.switchboard.core.sip.SourceRanges;
import io.switchboard.core.testing.FreePorts;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * store.serve-port: another node's MongoDB driver reads and writes the embedded store through the
 * port, as through a mongo.uri; sources other than loopback, the members and store.serve-clients are
 * not admitted.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ServedStoreTest {

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

  @Test
  void anotherNodesDriverReadsAndWritesThroughThePort() throws Exception {
    int port = FreePorts.udpAndTcp();
    SwitchboardConfig.Store config = ConfigLoader.load(null, Map.of(ConfigLoader.envName("data.dir"), dir.toString(),
        "SWITCHBOARD_STORE_SERVE_PORT", String.valueOf(port))).store();
    store = MongoStore.open(config);
    ServedStore served = ServedStore.start(vertx, config, List.of(), store, new SecurityLog(vertx, Clock.systemUTC()))
        .await(30, TimeUnit.SECONDS);
    assertEquals(port, served.port());
    store.database().getCollection("users").insertOne(new Document("_id", "alice").append("written", "by the node"));

    MongoClientSettings remote = MongoClientSettings.builder()
        .applyConnectionString(new ConnectionString("mongodb://127.0.0.1:" + port))
        .applyToClusterSettings(b -> b.serverSelectionTimeout(20, TimeUnit.SECONDS)).build();
    try (MongoClient other = MongoClients.create(remote)) {
      var users = other.getDatabase(config.database()).getCollection("users");
      assertEquals("by the node", users.find(Filters.eq("_id", "alice")).first().getString("written"));
      users.insertOne(new Document("_id", "bob").append("written", "by another node"));
    }
    Document bob = store.database().getCollection("users").find(Filters.eq("_id", "bob")).first();
    assertNotNull(bob, "the write through the port is in the node's own store");
    assertEquals("by another node", bob.getString("written"));
    served.stop().await(10, TimeUnit.SECONDS);
  }

  @Test
  void onlyLoopbackMembersAndListedClientsAreAdmitted() {
    SwitchboardConfig.Store config = ConfigLoader.load(null, Map.of(
        ConfigLoader.envName("store.serve-clients"), "192.168.5.0/24")).store();
    SourceRanges admitted = new SourceRanges(ServedStore.allowedSources(config, List.of("10.0.0.2")));
    ServedStore served = new ServedStore(vertx, admitted, null, null);
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
      SwitchboardConfig.Store config = ConfigLoader.load(null, Map.of(ConfigLoader.envName("data.dir"), dir.toString(),
          "SWITCHBOARD_STORE_SERVE_PORT", String.valueOf(taken.getLocalPort()))).store();
      store = MongoStore.open(config);
      Exception e = assertThrows(Exception.class, () -> ServedStore.start(vertx, config, List.of(), store,
          new SecurityLog(vertx, Clock.systemUTC())).await(30, TimeUnit.SECONDS));
      assertTrue(e.getMessage().contains("store.serve-port"), e.getMessage());
    }
  }
}
