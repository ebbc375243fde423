package io.switchboard.core.store;

/** For tests of several nodes on one store: how another node reaches a test's embedded store. */
public final class SharedStores {

  private SharedStores() {
  }

  /** The {@code mongo.uri} of the embedded store behind {@code store} (loopback, the MongoDB wire protocol). */
  public static String uriOf(MongoStore store) {
    if (store.embeddedServer() == null) {
      throw new IllegalArgumentException("not an embedded store");
    }
    return store.embeddedServer().connectionString();
  }
}
