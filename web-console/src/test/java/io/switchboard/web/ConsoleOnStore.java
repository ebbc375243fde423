package io.switchboard.web;

import io.switchboard.core.account.UserAccounts;
import io.switchboard.core.account.UserRequests;
import io.switchboard.core.config.SwitchboardConfig;
import io.switchboard.core.health.Health;
import io.switchboard.core.model.Role;
import io.switchboard.core.store.MongoApiTokenStore;
import io.switchboard.core.store.MongoStore;
import io.switchboard.core.store.MongoUserStore;
import io.switchboard.core.testing.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A web console deployed on the embedded store with personal API tokens, the built-in admin and the
 * user bob ("bob-web-pw"): what the API tests share. Each test builds the console it needs from the
 * {@link Parts}.
 */
final class ConsoleOnStore {

  /** What a test's console is built from. */
  record Parts(SwitchboardConfig config, MongoStore store, UserAccounts accounts, MongoApiTokenStore tokens,
      Health health) {
  }

  final MongoStore store;
  final WebConsole web;
  /** Point a WebClient at the console. */
  final WebClientOptions options;

  private ConsoleOnStore(MongoStore store, WebConsole web) {
    this.store = store;
    this.web = web;
    this.options = new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(web.actualPort());
  }

  static ConsoleOnStore start(Vertx vertx, Path dir, String adminPassword, Function<Parts, WebConsole> console) {
    SwitchboardConfig config = TestConfigs.loopback(dir, 0, 0, Map.of());
    MongoStore store = vertx.executeBlocking(() -> MongoStore.open(config.store())).await();
    MongoUserStore users = new MongoUserStore(vertx, store);
    MongoApiTokenStore tokens = new MongoApiTokenStore(vertx, store);
    vertx.executeBlocking(() -> {
      users.createIndexes();
      tokens.createIndexes();
      return null;
    }).await();
    UserAccounts accounts = new UserAccounts(vertx, users, config.sip().domain());
    accounts.ensureAdmin(Optional.of(adminPassword)).await();
    accounts.create(new UserRequests.Create("bob", "Bob", "1002", "bob-web-pw", null, Role.USER, true)).await();
    Health health = new Health();
    health.report("store", Health.State.UP);
    WebConsole web = console.apply(new Parts(config, store, accounts, tokens, health));
    vertx.deployVerticle(web).await();
    return new ConsoleOnStore(store, web);
  }

  void close(Vertx vertx) {
    vertx.executeBlocking(() -> {
      store.close();
      return null;
    }).await();
  }
}
