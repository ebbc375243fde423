package io.switchboard.core.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.model.Role;
import io.switchboard.core.store.MongoPasswordLinkStore;
import io.switchboard.core.store.MongoStore;
import io.switchboard.core.store.MongoUserStore;
import io.switchboard.core.store.StoreException;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.SettableClock;
import io.switchboard.core.testing.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Set-password links on the real embedded store: a user imported without a web password cannot log
 * in, a link sets one once, links expire, a newer link replaces an older one, and only the token's
 * hash is stored.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class PasswordLinksTest {


  private Vertx vertx;
  private MongoStore store;
  private UserAccounts accounts;
  private PasswordLinks links;
  private final SettableClock clock = new SettableClock();

  @BeforeEach
  void open(Vertx vertx, @TempDir Path dir) throws Exception {
    this.vertx = vertx;
    var config = TestConfigs.loopback(dir, FreePorts.udpAndTcp(), 0, Map.of()).store();
    MongoUserStore users = vertx.executeBlocking(() -> {
      store = MongoStore.open(config);
      MongoUserStore u = new MongoUserStore(vertx, store);
      u.createIndexes();
      return u;
    }).await();
    accounts = new UserAccounts(vertx, users, "switchboard.test");
    links = new PasswordLinks(accounts, new MongoPasswordLinkStore(vertx, store), clock);
    UserRequests.Create noPassword = new UserRequests.Create("hal", "Hal", "2001", null, "hal-sip-pw", Role.USER, true);
    accounts.insertAll(accounts.prepareAll(List.of(noPassword)).await()).await();
  }

  @AfterEach
  void close() {
    vertx.executeBlocking(() -> {
      store.close();
      return null;
    }).await();
  }

  @Test
  void aUserWithoutAWebPasswordLogsInOnlyAfterSettingOneThroughTheLink() {
    assertTrue(accounts.verify("hal", "dummy-password-for-timing").await().isEmpty(), "no password matches, not even the timing dummy's");
    assertTrue(accounts.verify("hal", "").await().isEmpty());

    PasswordLinks.Issued issued = links.issue("hal").await();
    assertTrue(issued.token().length() >= 43, "256 random bits");
    assertEquals(PasswordLinks.State.VALID, links.check(issued.token()).await().state());
    assertEquals("hal", links.check(issued.token()).await().username());
    Document stored = store.database().getCollection("password_links").find().first();
    assertNotEquals(issued.token(), stored.getString("_id"), "the token is stored hashed");
    assertTrue(!stored.toJson().contains(issued.token()));

    assertEquals(PasswordLinks.State.VALID, links.redeem(issued.token(), "hal-chosen-pw").await().state());
    assertEquals("hal", accounts.verify("hal", "hal-chosen-pw").await().orElseThrow().username());

    // Once only.
    assertEquals(PasswordLinks.State.GONE, links.redeem(issued.token(), "another-password").await().state());
    assertTrue(accounts.verify("hal", "another-password").await().isEmpty());
    assertEquals(PasswordLinks.State.UNKNOWN, links.check("not-a-token").await().state());
  }

  @Test
  void linksExpireAndANewOneReplacesTheOld() {
    PasswordLinks.Issued first = links.issue("hal").await();
    PasswordLinks.Issued second = links.issue("hal").await();
    assertEquals(PasswordLinks.State.UNKNOWN, links.check(first.token()).await().state(), "replaced");
    assertEquals(PasswordLinks.State.UNKNOWN, links.redeem(first.token(), "hal-chosen-pw").await().state());

    clock.advance(PasswordLinks.VALID_FOR.plusSeconds(1));
    assertEquals(PasswordLinks.State.GONE, links.check(second.token()).await().state());
    assertEquals(PasswordLinks.State.GONE, links.redeem(second.token(), "hal-chosen-pw").await().state());
    assertTrue(accounts.verify("hal", "hal-chosen-pw").await().isEmpty());

    StoreException e = org.junit.jupiter.api.Assertions.assertThrows(StoreException.class,
        () -> links.issue("nobody").await());
    assertEquals(StoreException.Kind.NOT_FOUND, e.kind());
  }
}
