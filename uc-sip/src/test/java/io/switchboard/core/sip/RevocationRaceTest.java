package io.switchboard.core.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.EventAddresses;
import io.switchboard.api.UserEvent;
import io.switchboard.core.model.UserChanges;
import io.switchboard.core.testing.FreePorts;
import io.switchboard.core.testing.SipTestServer;
import io.switchboard.core.testing.Sipp;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A REGISTER in flight while an admin disables or deletes its user leaves no binding: the
 * registrar's store write is held back until the revocation has run, so the two meet in the worst
 * order (the binding written after the revocation deleted the user's bindings).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class RevocationRaceTest {

  /** The real store, with alice's binding writes held until her bindings were removed (revoked). */
  private static final class HeldBackStore implements BindingStore {
    private final BindingStore delegate;
    final Promise<Void> saveArrived = Promise.promise();
    final Promise<Void> revoked = Promise.promise();

    HeldBackStore(BindingStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public Future<List<Binding>> loadAll() {
      return delegate.loadAll();
    }

    @Override
    public Future<Void> save(Binding binding) {
      if (!binding.username().equals("alice")) {
        return delegate.save(binding);
      }
      saveArrived.tryComplete();
      return revoked.future().compose(v -> delegate.save(binding));
    }

    @Override
    public Future<Void> remove(String username, String key) {
      return delegate.remove(username, key);
    }

    @Override
    public Future<Void> removeAll(String username) {
      return delegate.removeAll(username).onComplete(r -> {
        if (username.equals("alice")) {
          revoked.tryComplete();
        }
      });
    }
  }

  private SipTestServer server;
  private HeldBackStore held;

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) throws Exception {
    server = new SipTestServer(vertx, dir, Map.of());
    server.bindingStore = real -> held = new HeldBackStore(real);
    server.start().await();
    server.createUser("alice", "1001", "alice-sip-secret").await();
  }

  @AfterEach
  void stop() {
    server.stop().await();
  }

  private Sipp.Running registerAlice(String scenario) throws Exception {
    return Sipp.scenario(scenario, server.sipPort()).localPort(FreePorts.udpAndTcp())
        .key("domain", server.domain()).key("aor", "alice").key("contact", "alice-desk")
        .key("expires", "300").auth("alice", "alice-sip-secret").start();
  }

  /** As UserAccounts does it: the store first, then the event the registrar acts on. */
  private void revoke(UserEvent.Change change) {
    if (change == UserEvent.Change.DELETED) {
      server.users.delete("alice").await();
    } else {
      server.users.update("alice", new UserChanges(Optional.empty(), Optional.empty(), Optional.empty(),
          Optional.of(false), Optional.empty(), Optional.empty())).await();
    }
    server.vertx.eventBus().publish(EventAddresses.USER_CHANGED, new UserEvent("alice", change, false).toJson());
  }

  private List<Binding> stored() {
    return new MongoBindingStore(server.vertx, server.store).loadAll().await();
  }

  @Test
  void aUserDisabledWhileTheirRegisterIsInFlightKeepsNoBinding() throws Exception {
    Sipp.Running register = registerAlice("register-forbidden.xml");
    held.saveArrived.future().await(30, TimeUnit.SECONDS); // authenticated, its binding being written
    revoke(UserEvent.Change.UPDATED);

    Sipp.Result r = register.await();
    assertTrue(r.passed(), () -> "403, not 200: " + r);
    assertEquals(List.of(), server.sip.location().bindings("alice"));
    assertEquals(List.of(), stored(), "nor in the store, to come back at the next start");
  }

  @Test
  void aUserDeletedWhileTheirRegisterIsInFlightKeepsNoBinding() throws Exception {
    Sipp.Running register = registerAlice("register-forbidden.xml");
    held.saveArrived.future().await(30, TimeUnit.SECONDS);
    revoke(UserEvent.Change.DELETED);

    Sipp.Result r = register.await();
    assertTrue(r.passed(), () -> "403, not 200: " + r);
    assertEquals(List.of(), server.sip.location().bindings("alice"));
    assertEquals(List.of(), stored());
  }
}
